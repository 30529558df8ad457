import { describe, expect, it } from 'vitest'
import { BULK_ASSIGN_MAX, assignManyBody, idsPreview, selectedIds } from '../src/lib/assign.js'
import { createApiClient, createEndpoints } from '../src/api/client.js'

describe('bulk reassignment', () => {
  it('the selected rows as ids, each once', () => {
    expect(selectedIds([{ id: 3 }, { id: '5' }, { id: 3 }, { id: 0 }, null, { id: 'x' }])).toEqual([3, 5])
    expect(selectedIds(null)).toEqual([])
  })
  it('the body: cases, collector and reason trimmed; null when incomplete or too long', () => {
    expect(assignManyBody([4, 2, 4], ' li.na ', ' 休假交接 ')).toEqual({ cases: [4, 2], collector: 'li.na', reason: '休假交接' })
    expect(assignManyBody([], 'li.na', 'r')).toBe(null)
    expect(assignManyBody([1], '', 'r')).toBe(null)
    expect(assignManyBody([1], 'li.na', '  ')).toBe(null)
    const many = Array.from({ length: BULK_ASSIGN_MAX + 1 }, (_, i) => i + 1)
    expect(assignManyBody(many, 'li.na', 'r')).toBe(null)
    expect(assignManyBody(many.slice(0, BULK_ASSIGN_MAX), 'li.na', 'r').cases.length).toBe(500)
  })
  it('the ids shown in the dialog', () => {
    expect(idsPreview([1, 2, 3])).toBe('1, 2, 3')
    expect(idsPreview([1, 2, 3], 2)).toBe('1, 2, …')
  })
  it('POST /api/cases/assign with the body, CSRF token sent', async () => {
    const calls = []
    const fetchImpl = async (url, init) => {
      calls.push([init.method, url, JSON.parse(init.body), init.headers['X-CSRF-Token']])
      return { ok: true, status: 200, statusText: 'OK', text: async () => '{"cases":[1,2],"collector":"li.na"}' }
    }
    const api = createEndpoints(createApiClient({ fetchImpl, getCsrfToken: () => 'tok' }))
    const r = await api.assignMany({ cases: [1, 2], collector: 'li.na', reason: 'r' })
    expect(calls).toEqual([['POST', '/api/cases/assign', { cases: [1, 2], collector: 'li.na', reason: 'r' }, 'tok']])
    expect(r.cases).toEqual([1, 2])
  })
})

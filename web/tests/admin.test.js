import { describe, expect, it } from 'vitest'
import {
  activeAbsence,
  changeUserBody,
  contractBody,
  createUserBody,
  filterScripts,
  lastOutcome,
  nameById,
  orderScripts,
  scriptBody
} from '../src/lib/admin.js'
import { createApiClient, createEndpoints } from '../src/api/client.js'

describe('user bodies', () => {
  it('team only for team roles, agency only for agency collectors', () => {
    expect(createUserBody({ username: ' li.x ', display_name: '李', role: 'collector', team: 1, agency: 3 })).toEqual({
      username: 'li.x',
      display_name: '李',
      role: 'collector',
      team: 1
    })
    expect(createUserBody({ username: 'a', display_name: 'A', role: 'agency_collector', team: 1, agency: 2 })).toEqual({
      username: 'a',
      display_name: 'A',
      role: 'agency_collector',
      agency: 2
    })
    expect(createUserBody({ username: 'm', display_name: 'M', role: 'manager', team: 1 })).toEqual({ username: 'm', display_name: 'M', role: 'manager' })
  })
  it('a change sends only what changed; team null clears it', () => {
    const u = { id: 4, role: 'collector', display_name: '李娜', team_id: 1, agency_id: null, active: true, capacity: 0 }
    expect(changeUserBody(u, { display_name: '李娜', team: 1, agency: null, active: true, capacity: 0 })).toEqual({})
    expect(changeUserBody(u, { display_name: '李娜 ', team: null, agency: null, active: false, capacity: 40 })).toEqual({
      team: null,
      active: false,
      capacity: 40
    })
    const m = { id: 2, role: 'manager', display_name: 'W', team_id: null, agency_id: null, active: true }
    expect(changeUserBody(m, { display_name: 'W2', team: null, agency: null, active: true, capacity: 5 })).toEqual({ display_name: 'W2' })
  })
  it('absence: none, open-ended, and the zero date is none', () => {
    expect(activeAbsence(null)).toBe(null)
    expect(activeAbsence({ from: '1970-01-01', until: '1970-01-01' })).toBe(null)
    expect(activeAbsence({ from: '2026-11-25', until: '2026-11-28' })).toEqual({ from: '2026-11-25', until: '2026-11-28' })
    expect(activeAbsence({ from: '2026-11-25' })).toEqual({ from: '2026-11-25', until: null })
  })
})

describe('contract body', () => {
  it('normalises the fee, keeps the commission as text', () => {
    expect(contractBody({ starts_on: '2027-03-01', ends_on: '2027-06-01', commission: '12.5', upfront_fee: '1,000', may_settle: 1 })).toEqual({
      ok: true,
      body: { starts_on: '2027-03-01', ends_on: '2027-06-01', commission: '12.5', upfront_fee: '1000.00', may_settle: true }
    })
    expect(contractBody({ starts_on: '2027-03-01', ends_on: '2027-06-01', commission: '15', upfront_fee: '' }).body).not.toHaveProperty('upfront_fee')
    expect(contractBody({ starts_on: '2027-03-01', ends_on: '2027-06-01', commission: '15', upfront_fee: '0' }).body.upfront_fee).toBe('0.00')
  })
  it('refuses missing dates, an end before the start, a bad commission or fee', () => {
    expect(contractBody({ ends_on: '2027-06-01', commission: '1' })).toEqual({ ok: false, field: 'starts_on' })
    expect(contractBody({ starts_on: '2027-06-01', ends_on: '2027-03-01', commission: '1' })).toEqual({ ok: false, field: 'ends_on' })
    expect(contractBody({ starts_on: '2027-03-01', ends_on: '2027-06-01', commission: '1.234' })).toEqual({ ok: false, field: 'commission' })
    expect(contractBody({ starts_on: '2027-03-01', ends_on: '2027-06-01', commission: '5', upfront_fee: 'abc' })).toEqual({ ok: false, field: 'upfront_fee' })
  })
  it('names by id', () => {
    const n = nameById([{ id: 1, name: '一组' }])
    expect(n(1)).toBe('一组')
    expect(n(2)).toBe('#2')
    expect(n(null)).toBe('')
  })
})

describe('talk scripts', () => {
  const scripts = [
    { id: 1, title: '没钱', objection: '现在没钱', body: '理解…', outcomes: ['hardship'] },
    { id: 2, title: '不是我借的', objection: '', body: '核实身份', outcomes: ['wrong_party'] },
    { id: 3, title: '已经还了', objection: '我还过了', body: '请提供凭证', outcomes: [] }
  ]
  it('suggested first, flagged, then the rest in order', () => {
    const o = orderScripts(scripts, [3])
    expect(o.map((s) => s.id)).toEqual([3, 1, 2])
    expect(o[0].suggested).toBe(true)
    expect(o[1].suggested).toBeUndefined()
  })
  it('filters by title, objection or body', () => {
    expect(filterScripts(scripts, '凭证').map((s) => s.id)).toEqual([3])
    expect(filterScripts(scripts, '没钱').map((s) => s.id)).toEqual([1])
    expect(filterScripts(scripts, '  ')).toHaveLength(3)
  })
  it('script body trims and copies the outcomes', () => {
    const f = { title: ' t ', objection: ' o ', body: 'b\n', outcomes: ['refused'] }
    const b = scriptBody(f)
    expect(b).toEqual({ title: 't', objection: 'o', body: 'b\n', outcomes: ['refused'] })
    expect(b.outcomes).not.toBe(f.outcomes)
  })
  it('the last contact outcome of the timeline', () => {
    expect(lastOutcome([{ kind: 'record', at: 10, outcome: 'no_answer' }, { kind: 'promise', at: 30 }, { kind: 'record', at: 20, outcome: 'hardship' }])).toBe('hardship')
    expect(lastOutcome([])).toBe(null)
  })
})

describe('administration endpoints', () => {
  function setup() {
    const calls = []
    const fetchImpl = async (url, init) => {
      calls.push({ url, method: init.method, body: init.body ? JSON.parse(init.body) : undefined, csrf: init.headers['X-CSRF-Token'] })
      return { ok: true, status: 200, statusText: 'OK', text: async () => '{}' }
    }
    const api = createEndpoints(createApiClient({ fetchImpl, getCsrfToken: () => 'tok' }))
    return { api, calls }
  }
  it('absence: from/until, or from null to end it', async () => {
    const { api, calls } = setup()
    await api.absence(4, '2026-11-25', '2026-11-28')
    await api.absence(4, '2026-11-25')
    await api.absence(4, null)
    expect(calls.map((c) => c.body)).toEqual([{ from: '2026-11-25', until: '2026-11-28' }, { from: '2026-11-25' }, { from: null }])
    expect(calls.every((c) => c.url === '/api/users/4/absence' && c.method === 'POST' && c.csrf === 'tok')).toBe(true)
  })
  it('decisions, assignment, strategies, statement, scripts', async () => {
    const { api, calls } = setup()
    await api.decideWaiver(7, false, '超出')
    await api.decideWaiver(8, true)
    await api.decidePlan(3, true)
    await api.assign(12, 'li.na', '请假')
    await api.publishStrategy(5)
    await api.statement(1, '2026-01-01', '2026-11-30')
    await api.scripts({ q: '没钱', outcome: 'hardship' })
    expect(calls.map((c) => [c.method, c.url, c.body])).toEqual([
      ['POST', '/api/waivers/7/decision', { approve: false, note: '超出' }],
      ['POST', '/api/waivers/8/decision', { approve: true }],
      ['POST', '/api/plans/3/decision', { approve: true }],
      ['POST', '/api/cases/12/assign', { collector: 'li.na', reason: '请假' }],
      ['POST', '/api/strategies/5/publish', {}],
      ['GET', '/api/agencies/1/statement?from=2026-01-01&to=2026-11-30', undefined],
      ['GET', `/api/scripts?q=${encodeURIComponent('没钱')}&outcome=hardship`, undefined]
    ])
  })
})

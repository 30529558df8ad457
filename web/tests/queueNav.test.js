import { describe, expect, it } from 'vitest'
import { REASONS, countByReason, createQueueMemory, nextCaseId } from '../src/lib/queueNav.js'

function memoryStorage() {
  const m = new Map()
  return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), removeItem: (k) => m.delete(k) }
}

describe('nextCaseId', () => {
  const ids = [1110, 528, 542]
  it('gives the case after the current one', () => {
    expect(nextCaseId(ids, 1110)).toBe(528)
    expect(nextCaseId(ids, '528')).toBe(542)
  })
  it('null at the end or for an empty queue', () => {
    expect(nextCaseId(ids, 542)).toBeNull()
    expect(nextCaseId([], 1)).toBeNull()
    expect(nextCaseId(null, 1)).toBeNull()
  })
  it('the first case when the current one is not in the queue', () => {
    expect(nextCaseId(ids, 9)).toBe(1110)
  })
})

describe('countByReason', () => {
  it('counts every reason, zero for absent ones', () => {
    const c = countByReason([{ reason: 'broken_promise' }, { reason: 'broken_promise' }, { reason: 'strategy' }])
    expect(c).toEqual({ broken_promise: 2, promise_due: 0, follow_up_due: 0, strategy: 1 })
    expect(Object.keys(countByReason([]))).toEqual(REASONS)
  })
  it('keeps an unknown reason too', () => {
    expect(countByReason([{ reason: 'new_thing' }]).new_thing).toBe(1)
  })
})

describe('queue memory', () => {
  it('saves and loads the order, numbers only', () => {
    const mem = createQueueMemory(memoryStorage())
    expect(mem.load()).toEqual([])
    mem.save([3, '5', 8])
    expect(mem.load()).toEqual([3, 5, 8])
    mem.clear()
    expect(mem.load()).toEqual([])
  })
  it('survives garbage in storage', () => {
    const s = memoryStorage()
    s.setItem('huikuan.queue', '{not json')
    expect(createQueueMemory(s).load()).toEqual([])
    s.setItem('huikuan.queue', '{"a":1}')
    expect(createQueueMemory(s).load()).toEqual([])
  })
})

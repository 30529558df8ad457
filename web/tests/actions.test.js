import { describe, expect, it } from 'vitest'
import { promiseBody, recordBody, refusalOf } from '../src/lib/actions.js'
import { ApiError } from '../src/api/client.js'

describe('recordBody', () => {
  it('leaves out empty optional fields', () => {
    expect(recordBody({ channel: 'call', outcome: 'no_answer', contact_id: '', note: '  ', next_follow_up: null })).toEqual({
      channel: 'call',
      outcome: 'no_answer'
    })
  })
  it('keeps the filled ones, note trimmed', () => {
    expect(
      recordBody({ channel: 'call', outcome: 'promised', contact_id: 'C1', note: ' 下周还 ', next_follow_up: '2026-11-30' })
    ).toEqual({ channel: 'call', outcome: 'promised', contact_id: 'C1', note: '下周还', next_follow_up: '2026-11-30' })
  })
})

describe('promiseBody', () => {
  it('normalises the amount to a decimal string', () => {
    expect(promiseBody({ amount: '500', due_on: '2026-12-01' })).toEqual({ amount: '500.00', due_on: '2026-12-01' })
    expect(promiseBody({ amount: '1,000.5', due_on: '2026-12-01' })).toEqual({ amount: '1000.50', due_on: '2026-12-01' })
  })
  it('null for a bad amount or no date', () => {
    expect(promiseBody({ amount: '0', due_on: '2026-12-01' })).toBeNull()
    expect(promiseBody({ amount: '12.345', due_on: '2026-12-01' })).toBeNull()
    expect(promiseBody({ amount: '100', due_on: null })).toBeNull()
  })
})

describe('refusalOf', () => {
  it('keeps the rule and the plain-language message', () => {
    const e = new ApiError({ status: 403, code: 'HK_EREFUSED', message: '22:00 至 08:00 不得联系', rule: 'GR-HOURS' })
    expect(refusalOf(e)).toEqual({ rule: 'GR-HOURS', message: '22:00 至 08:00 不得联系', code: 'HK_EREFUSED', status: 403 })
  })
  it('rule null for an error without one', () => {
    expect(refusalOf(new ApiError({ status: 400, code: 'HK_EINVAL', message: 'bad' })).rule).toBeNull()
    expect(refusalOf(null)).toBeNull()
  })
})

import { describe, expect, it } from 'vitest'
import { eventDetails, eventType } from '../src/lib/timeline.js'
import { addDays, eventWhen, formatUnix } from '../src/lib/format.js'

describe('timeline events', () => {
  it('payment: amount first, marked as money, nulls skipped', () => {
    const ev = { kind: 'payment', at: null, date: '2026-10-01', user_id: null, id: 5497, account_id: 'A0001214', channel: 'bank_transfer', payment_id: 'P00005497', amount: '88.00' }
    const d = eventDetails(ev)
    expect(d[0]).toEqual({ field: 'amount', value: '88.00', money: true })
    expect(d.map((x) => x.field)).toEqual(['amount', 'account_id', 'channel', 'payment_id'])
    expect(eventType(ev)).toBe('success')
  })
  it('record: empty note and follow-up left out', () => {
    const ev = { kind: 'record', channel: 'call', outcome: 'no_answer', note: '', next_follow_up: null }
    expect(eventDetails(ev).map((x) => x.field)).toEqual(['channel', 'outcome'])
    expect(eventType(ev)).toBe('info')
    expect(eventType({ kind: 'record', outcome: 'reached_debtor' })).toBe('primary')
  })
  it('promise colour follows its status', () => {
    expect(eventType({ kind: 'promise', status: 'broken' })).toBe('danger')
    expect(eventType({ kind: 'promise', status: 'kept' })).toBe('success')
    expect(eventType({ kind: 'promise', status: 'pending' })).toBe('warning')
  })
  it('an unknown kind shows its extra fields', () => {
    const d = eventDetails({ kind: 'new_kind', at: 1, date: null, user_id: 2, id: 3, foo: 'bar', empty: null })
    expect(d).toEqual([{ field: 'foo', value: 'bar', money: false }])
  })
})

describe('dates', () => {
  it('event time: the moment when known, else the date', () => {
    expect(eventWhen({ at: null, date: '2026-10-01' })).toBe('2026-10-01')
    expect(eventWhen({ at: 0, date: null })).toBe(formatUnix(0))
    expect(formatUnix(null)).toBe('')
    expect(formatUnix(1795458877)).toMatch(/^2026-11-2\d \d\d:\d\d$/)
  })
  it('addDays crosses months and years', () => {
    expect(addDays('2026-11-24', 30)).toBe('2026-12-24')
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01')
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29')
  })
})

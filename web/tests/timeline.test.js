import { afterAll, describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { EVENT_FIELDS, eventDetails, eventFields, eventSummary, eventTitle, eventType } from '../src/lib/timeline.js'
import { addDays, eventWhen, formatUnix } from '../src/lib/format.js'
import { formatMoney } from '../src/lib/money.js'
import { makeTr } from '../src/lib/useTr.js'
import { i18n } from '../src/i18n/index.js'

describe('timeline events', () => {
  it('payment: amount first, marked as money, nulls skipped', () => {
    const ev = { kind: 'payment', at: null, date: '2026-10-01', user_id: null, id: 5497, account_id: 'A0001214', channel: 'bank_transfer', payment_id: 'P00005497', amount: '88.00' }
    const d = eventDetails(ev)
    expect(d[0]).toEqual({ field: 'amount', label: 'amount', value: '88.00', money: true })
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
    expect(d).toEqual([{ field: 'foo', label: 'foo', value: 'bar', money: false }])
  })
})

// Events as the server answers them (src/http/timeline.c), case 4 of the demo.
const LETTER = { kind: 'letter', at: 1796670909, date: null, user_id: 1, id: 1, serial: 'HK-2026-000001', template: 'first_notice', total_owed: '13542.20', as_of: '2026-12-08' }
const msg = (kind, extra = {}) => ({ kind, at: 1796670909, date: null, user_id: null, id: 7, channel: 'sms', template: 'first_notice', ...extra })

describe('letters and messages in the timeline', () => {
  const { t, te } = i18n.global
  const tr = makeTr(t, te)
  afterAll(() => {
    i18n.global.locale.value = 'zh'
  })
  const summary = (ev, lang) => {
    i18n.global.locale.value = lang
    return eventSummary(ev, tr, t, formatMoney)
  }

  it('the server\'s letter and message kinds are all known', () => {
    const kinds = [...readFileSync(new URL('../../src/http/timeline.c', import.meta.url), 'utf8').matchAll(/^\t\{"(\w+)", /gm)].map((m) => m[1])
    expect(kinds).toContain('letter')
    expect(kinds.filter((k) => k.startsWith('message_')).length).toBe(6)
    expect(kinds.filter((k) => !EVENT_FIELDS[k])).toEqual([])
  })

  it('a letter: its serial, template, the total owed as money and the date of the amounts', () => {
    expect(eventDetails(LETTER).map((f) => f.field)).toEqual(['serial', 'template', 'total_owed', 'as_of'])
    expect(eventDetails(LETTER)[2]).toEqual({ field: 'total_owed', label: 'total_owed', value: '13542.20', money: true })
    expect(summary(LETTER, 'zh')).toBe('生成信函 — 函号: HK-2026-000001 · 模板: first_notice · 欠款合计: 13,542.20 · 金额截至: 2026-12-08')
    expect(summary(LETTER, 'en')).toBe('Letter written — Serial: HK-2026-000001 · Template: first_notice · Total owed: 13,542.20 · Amounts as of: 2026-12-08')
    expect(eventType(LETTER)).toBe('primary')
  })

  it('a message\'s steps: the channel in the title, the masked recipient (not "new status")', () => {
    const queued = msg('message_queued', { user_id: 1, to: '198****5223' })
    expect(summary(queued, 'zh')).toBe('短信已排队 — 模板: first_notice · 收件人: 198****5223')
    expect(summary(queued, 'en')).toBe('SMS queued — Template: first_notice · Recipient: 198****5223')
    const f = eventFields(queued, tr, formatMoney)
    expect(f[1]).toMatchObject({ field: 'to', text: '198****5223', mono: true, money: false })
    expect(summary(msg('message_sent', { to: '198****5223' }), 'zh')).toBe('短信已发送 — 模板: first_notice · 收件人: 198****5223')
    const email = msg('message_delivered', { channel: 'email', to: 'd***@example.cn' })
    expect(summary(email, 'zh')).toBe('邮件已送达 — 模板: first_notice · 收件人: d***@example.cn')
    expect(summary(email, 'en')).toBe('E-mail delivered — Template: first_notice · Recipient: d***@example.cn')
    expect(summary(msg('message_undelivered', { to: '198****5223' }), 'zh')).toBe('短信未送达 — 模板: first_notice · 收件人: 198****5223')
    // a status change's `to` is still the new status
    i18n.global.locale.value = 'zh'
    expect(eventFields({ kind: 'status', from: 'open', to: 'legal', reason: null }, tr, formatMoney).map((x) => x.label)).toEqual(['原状态', '新状态'])
  })

  it('a failed message shows the error, a refused one the rule; a missing template is left out', () => {
    expect(summary(msg('message_failed', { error: 'HTTP 500: 198****5223 busy' }), 'zh')).toBe('短信发送失败 — 模板: first_notice · 错误: HTTP 500: 198****5223 busy')
    expect(summary(msg('message_refused', { rule: 'GR-MESSAGES', template: null }), 'zh')).toBe('短信被合规规则拒绝 — 规则: GR-MESSAGES')
    expect(summary(msg('message_refused', { rule: 'GR-HOURS' }), 'en')).toBe('SMS refused by the guardrails — Template: first_notice · Rule: GR-HOURS')
  })

  it('colours: delivered green, sent and letters blue, failures red, queued grey', () => {
    expect(eventType(msg('message_delivered'))).toBe('success')
    expect(eventType(msg('message_sent'))).toBe('primary')
    expect(eventType(msg('message_queued'))).toBe('info')
    for (const k of ['message_undelivered', 'message_failed', 'message_refused']) expect(eventType(msg(k)), k).toBe('danger')
  })

  it('the other kinds keep their titles and codes translated', () => {
    i18n.global.locale.value = 'zh'
    expect(eventTitle({ kind: 'payment' }, tr, t)).toBe('还款')
    expect(eventTitle({ kind: 'new_kind' }, tr, t)).toBe('new_kind')
    expect(summary({ kind: 'payment', amount: '1288.00', channel: 'bank_transfer', account_id: 'A1' }, 'zh')).toMatch(/^还款 — 金额: 1,288.00 · 账户: A1 · 渠道: \S+$/)
    expect(summary({ kind: 'record', channel: 'call', outcome: 'no_answer', note: '' }, 'en')).toMatch(/^Contact record — Channel: Call · Outcome: \S/)
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

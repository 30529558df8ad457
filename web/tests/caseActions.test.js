import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  PAYMENT_CHOICES,
  RELATIONS,
  STATUS_TARGETS,
  STOP_CHANNELS,
  STOP_REASONS,
  VALIDITIES,
  WAIVER_COMPONENTS,
  addMonths,
  base64ToBytes,
  buildInstallments,
  bytesToBase64,
  caseActionRights,
  casePayments,
  contactBody,
  currentPlacement,
  disputeBody,
  disputesFromEvents,
  evidenceProblem,
  fenToAmount,
  formatSize,
  newPaymentId,
  normalizePhone,
  paymentBody,
  paymentProblem,
  placementBody,
  planBody,
  planProblems,
  planTagType,
  planTotal,
  reasonBody,
  resolveBody,
  sortStops,
  statusBody,
  statusOptions,
  statusRoleAllows,
  stopBody,
  toFen,
  validityBody,
  waiverBody
} from '../src/lib/caseActions.js'
import { createApiClient, createEndpoints } from '../src/api/client.js'

describe('money in fen', () => {
  it('round trips without floats', () => {
    expect(toFen('12.3')).toBe(1230n)
    expect(toFen('1,000.05')).toBe(100005n)
    expect(toFen('abc')).toBe(null)
    expect(fenToAmount(5n)).toBe('0.05')
    expect(fenToAmount(123456789012345678n)).toBe('1234567890123456.78')
    expect(fenToAmount(-150n)).toBe('-1.50')
  })
})

describe('waiver body', () => {
  it('normalises the amount and needs every field', () => {
    expect(waiverBody({ account_id: 'A1', component: 'penalty', amount: '12.3', reason: ' 困难 ' })).toEqual({
      account_id: 'A1',
      component: 'penalty',
      amount: '12.30',
      reason: '困难'
    })
    expect(waiverBody({ account_id: 'A1', component: 'tax', amount: '1', reason: 'x' })).toBe(null)
    expect(waiverBody({ account_id: 'A1', component: 'fee', amount: '0', reason: 'x' })).toBe(null)
    expect(waiverBody({ account_id: '', component: 'fee', amount: '1', reason: 'x' })).toBe(null)
    expect(waiverBody({ account_id: 'A1', component: 'fee', amount: '1', reason: '  ' })).toBe(null)
    expect(WAIVER_COMPONENTS).toEqual(['penalty', 'fee', 'interest', 'principal'])
  })
})

describe('repayment plan', () => {
  it('adds months keeping the day or the month end', () => {
    expect(addMonths('2026-11-30', 1)).toBe('2026-12-30')
    expect(addMonths('2027-01-31', 1)).toBe('2027-02-28')
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29')
    expect(addMonths('2026-12-15', 2)).toBe('2027-02-15')
  })
  it('splits a total exactly, the remainder on the last installment', () => {
    const list = buildInstallments({ total: '100.00', count: 3, firstDue: '2026-12-01' })
    expect(list).toEqual([
      { due_on: '2026-12-01', amount: '33.33' },
      { due_on: '2027-01-01', amount: '33.33' },
      { due_on: '2027-02-01', amount: '33.34' }
    ])
    expect(planTotal(list)).toBe('100.00')
    const big = buildInstallments({ total: '9007199254740993.01', count: 7, firstDue: '2026-12-01' })
    expect(planTotal(big)).toBe('9007199254740993.01')
  })
  it('refuses what it cannot build', () => {
    expect(buildInstallments({ total: '0.02', count: 3, firstDue: '2026-12-01' })).toBe(null)
    expect(buildInstallments({ total: '10', count: 0, firstDue: '2026-12-01' })).toBe(null)
    expect(buildInstallments({ total: '10', count: 61, firstDue: '2026-12-01' })).toBe(null)
    expect(buildInstallments({ total: '10', count: 2, firstDue: '' })).toBe(null)
    expect(buildInstallments({ total: 'x', count: 2, firstDue: '2026-12-01' })).toBe(null)
  })
  it('finds the problems per installment', () => {
    const today = '2026-11-24'
    expect(planProblems([], today)).toEqual([{ index: -1, key: 'plan.countRange' }])
    expect(
      planProblems(
        [
          { due_on: '2026-11-20', amount: '10' },
          { due_on: '2026-12-01', amount: '0' },
          { due_on: '2026-12-01', amount: '5' },
          { due_on: null, amount: '5' }
        ],
        today
      )
    ).toEqual([
      { index: 0, key: 'plan.pastDate' },
      { index: 1, key: 'plan.badAmount' },
      { index: 2, key: 'plan.notIncreasing' },
      { index: 3, key: 'plan.badDate' }
    ])
    expect(planProblems([{ due_on: '2026-11-24', amount: '1' }], today)).toEqual([])
    expect(planProblems(Array.from({ length: 61 }, (_, i) => ({ due_on: addMonths('2026-12-01', i), amount: '1' })), today)).toEqual([
      { index: -1, key: 'plan.countRange' }
    ])
  })
  it('builds the body with normalised amounts and an optional note', () => {
    const rows = [
      { due_on: '2026-12-01', amount: '100' },
      { due_on: '2027-01-01', amount: '1,200.5' }
    ]
    expect(planBody(rows, '  ', '2026-11-24')).toEqual({
      installments: [
        { due_on: '2026-12-01', amount: '100.00' },
        { due_on: '2027-01-01', amount: '1200.50' }
      ]
    })
    expect(planBody(rows, ' 工资日 ', '2026-11-24').note).toBe('工资日')
    expect(planBody([{ due_on: '2026-11-01', amount: '1' }], '', '2026-11-24')).toBe(null)
  })
  it('tags states', () => {
    expect(planTagType('on_track')).toBe('success')
    expect(planTagType('broken')).toBe('danger')
    expect(planTagType('proposed')).toBe('warning')
    expect(planTagType('whatever')).toBe('info')
  })
})

describe('status change', () => {
  it('who may set what', () => {
    expect(statusRoleAllows('collector', 'promised')).toBe(true)
    expect(statusRoleAllows('collector', 'legal')).toBe(false)
    expect(statusRoleAllows('team_leader', 'legal')).toBe(true)
    expect(statusRoleAllows('team_leader', 'written_off')).toBe(false)
    expect(statusRoleAllows('manager', 'closed')).toBe(true)
    expect(statusRoleAllows('auditor', 'in_collection')).toBe(false)
  })
  it('options per role: the flow first, never the current status or "new"', () => {
    const c = statusOptions('new', 'collector')
    expect(c.map((o) => o.status)).toEqual(['in_collection', 'disputed', 'promised', 'on_plan', 'paid_off'])
    expect(c.filter((o) => o.inFlow).map((o) => o.status)).toEqual(['in_collection', 'disputed'])
    const m = statusOptions('in_collection', 'manager')
    expect(m.map((o) => o.status)).not.toContain('in_collection')
    expect(m.filter((o) => o.inFlow).map((o) => o.status)).toEqual([
      'promised',
      'on_plan',
      'disputed',
      'legal',
      'paid_off',
      'settled',
      'written_off',
      'closed'
    ])
    expect(statusOptions('legal', 'team_leader').map((o) => o.status)).not.toContain('closed')
    expect(statusOptions('new', 'auditor')).toEqual([])
    expect(STATUS_TARGETS).toHaveLength(9)
  })
  it('body needs a status and a reason', () => {
    expect(statusBody({ status: 'legal', reason: ' 起诉 ' })).toEqual({ status: 'legal', reason: '起诉' })
    expect(statusBody({ status: 'legal', reason: '' })).toBe(null)
    expect(statusBody({ status: 'new', reason: 'x' })).toBe(null)
  })
})

describe('rights on the case page', () => {
  it('per role', () => {
    const col = caseActionRights('collector')
    expect(col).toMatchObject({ waiver: true, plan: true, status: true, dispute: true, stop: true, skipTrace: true })
    expect(col).toMatchObject({ resolveDispute: false, liftStop: false, placement: false })
    expect(caseActionRights('agency_collector').waiver).toBe(true)
    expect(caseActionRights('team_leader')).toMatchObject({ resolveDispute: true, liftStop: true, placement: false })
    expect(caseActionRights('manager').placement).toBe(true)
    expect(caseActionRights('admin').placement).toBe(true)
    // POST /api/payments is for admins and managers only
    expect(['admin', 'manager'].every((r) => caseActionRights(r).payment)).toBe(true)
    expect(['team_leader', 'collector', 'agency_collector', 'auditor'].some((r) => caseActionRights(r).payment)).toBe(false)
    expect(Object.values(caseActionRights('auditor')).some(Boolean)).toBe(false)
    expect(caseActionRights(null).any).toBe(false)
  })
})

describe('payments', () => {
  const form = { account_id: 'A1', amount: '1,234.5', paid_on: '2026-11-20', channel: 'online', reference: ' ', payment_id: ' WEB-1 ' }
  it('the body: yuan with two decimals from exact fen, no empty reference', () => {
    expect(paymentBody(form)).toEqual({ payment_id: 'WEB-1', account_id: 'A1', paid_on: '2026-11-20', amount: '1234.50', channel: 'online' })
    expect(paymentBody({ ...form, amount: '0.07', channel: 'bank_transfer', reference: ' B123 ' })).toMatchObject({ amount: '0.07', reference: 'B123' })
    // no float on the way: 9007199254740993.01 is not representable as a double
    expect(paymentBody({ ...form, amount: '9007199254740993.01' }).amount).toBe('9007199254740993.01')
  })
  it('the problems caught before asking; cash left to the server', () => {
    expect(paymentProblem({ ...form, account_id: '' })).toBe('payment.accountRequired')
    for (const amount of ['', '0', '0.00', '-1', '1.234', 'abc']) expect(paymentProblem({ ...form, amount }), amount).toBe('payment.badAmount')
    expect(paymentProblem({ ...form, paid_on: null })).toBe('payment.dateRequired')
    expect(paymentProblem({ ...form, channel: 'cheque' })).toBe('payment.channelRequired')
    expect(paymentProblem({ ...form, channel: 'bank_transfer' })).toBe('payment.referenceRequired')
    expect(paymentProblem({ ...form, payment_id: 'has space' })).toBe('payment.badPaymentId')
    expect(paymentProblem({ ...form, payment_id: 'x'.repeat(65) })).toBe('payment.badPaymentId')
    expect(paymentProblem({ ...form, channel: 'cash' })).toBe(null)
    expect(paymentBody({ ...form, channel: 'cash' }).channel).toBe('cash')
    expect(paymentBody({ ...form, amount: '0' })).toBe(null)
  })
  it('a payment id the server takes, different each time', () => {
    const a = newPaymentId(1767225600000, () => 0.5)
    expect(a).toMatch(/^[A-Za-z0-9_.-]{1,64}$/)
    expect(a).toBe(`WEB-${(1767225600000).toString(36)}-${Math.floor(0.5 * 36 ** 6).toString(36)}`.toUpperCase())
    expect(newPaymentId(1, () => 0)).toBe('WEB-1-000000')
    expect(newPaymentId()).not.toBe(newPaymentId(Date.now() + 1))
  })
  it('the case payments, newest first, with their account', () => {
    const kase = {
      accounts: [
        { account_id: 'A1', payments: [{ payment_id: 'P1', paid_on: '2026-01-05', amount: '1.00' }] },
        { account_id: 'A2', payments: [{ payment_id: 'P2', paid_on: '2026-02-01', amount: '2.00' }, { payment_id: 'P3', paid_on: '2026-01-05', amount: '3.00' }] },
        { account_id: 'A3' }
      ]
    }
    expect(casePayments(kase).map((p) => [p.payment_id, p.account_id])).toEqual([['P2', 'A2'], ['P3', 'A2'], ['P1', 'A1']])
    expect(casePayments(null)).toEqual([])
  })
})

describe('disputes', () => {
  it('base64 of bytes like btoa', () => {
    for (const s of ['', 'a', 'ab', 'abc', 'hello evidence', 'xyz12']) {
      expect(bytesToBase64(new TextEncoder().encode(s))).toBe(Buffer.from(s).toString('base64'))
    }
    const bin = new Uint8Array(256).map((_, i) => i)
    expect(bytesToBase64(bin.buffer)).toBe(Buffer.from(bin).toString('base64'))
  })
  it('bytes of base64, the inverse of bytesToBase64', () => {
    const bin = new Uint8Array(256).map((_, i) => 255 - i)
    expect(Array.from(base64ToBytes(bytesToBase64(bin)))).toEqual(Array.from(bin))
    expect(new TextDecoder().decode(base64ToBytes(Buffer.from('还款凭证').toString('base64')))).toBe('还款凭证')
    expect(base64ToBytes('').length).toBe(0)
    expect(base64ToBytes('!!!')).toBe(null)
  })
  it('file sizes for people', () => {
    expect(formatSize(23)).toBe('23 B')
    expect(formatSize(12595)).toBe('12.3 KB')
    expect(formatSize(1468006)).toBe('1.4 MB')
    expect(formatSize(null)).toBe('')
  })
  it('evidence limits', () => {
    expect(evidenceProblem([])).toBe(null)
    expect(evidenceProblem(Array.from({ length: 11 }, () => ({ size: 1 })))).toBe('dispute.tooManyFiles')
    expect(evidenceProblem([{ size: 600 * 1024 }, { size: 200 * 1024 }])).toBe('dispute.tooLarge')
  })
  it('body: reason, files only when any', () => {
    expect(disputeBody(' 不是我的 ', [])).toEqual({ reason: '不是我的' })
    expect(disputeBody('x', [{ name: 'a.txt', content_base64: 'YQ==', size: 1 }])).toEqual({
      reason: 'x',
      files: [{ name: 'a.txt', content_base64: 'YQ==' }]
    })
    expect(disputeBody(' ', [])).toBe(null)
    expect(resolveBody(' 核实无误 ')).toEqual({ resolution: '核实无误' })
    expect(resolveBody('')).toBe(null)
  })
  it('from the timeline (newest first): open or resolved', () => {
    const events = [
      { kind: 'dispute_opened', id: 2, at: 30, reason: 'b', user_id: 4 },
      { kind: 'dispute_resolved', id: 1, at: 20, status: 'resolved', resolution: 'ok', user_id: 3 },
      { kind: 'record', id: 9, at: 15 },
      { kind: 'dispute_opened', id: 1, at: 10, reason: 'a', user_id: 4 }
    ]
    expect(disputesFromEvents(events)).toEqual([
      { id: 2, reason: 'b', at: 30, date: undefined, user_id: 4, status: 'open', resolution: null },
      { id: 1, reason: 'a', at: 10, date: undefined, user_id: 4, status: 'resolved', resolution: 'ok' }
    ])
    expect(disputesFromEvents(undefined)).toEqual([])
  })
})

describe('stops, contacts, placement', () => {
  it('stop body and order', () => {
    expect(stopBody({ channel: 'sms', reason: 'debtor_request', note: ' ' })).toEqual({ channel: 'sms', reason: 'debtor_request' })
    expect(stopBody({ channel: 'all', reason: 'complaint', note: '投诉' })).toEqual({ channel: 'all', reason: 'complaint', note: '投诉' })
    expect(stopBody({ channel: 'fax', reason: 'complaint' })).toBe(null)
    expect(stopBody({ channel: 'all', reason: 'other' })).toBe(null)
    const s = sortStops([{ id: 1 }, { id: 2, lifted_at: 5 }, { id: 3 }])
    expect(s.map((x) => x.id)).toEqual([3, 1, 2])
    expect(reasonBody(' 同意 ')).toEqual({ reason: '同意' })
    expect(reasonBody('')).toBe(null)
  })
  it('contact body and phone', () => {
    expect(normalizePhone('138 1234-5678')).toBe('13812345678')
    expect(normalizePhone('1381234567')).toBe(null)
    expect(normalizePhone('23812345678')).toBe(null)
    expect(contactBody({ relation: 'spouse', phone: '13812345678', source: ' 社交平台 ', name: '', authorized: false })).toEqual({
      relation: 'spouse',
      phone: '13812345678',
      source: '社交平台'
    })
    expect(contactBody({ relation: 'self', phone: '13812345678', source: 'x', name: '王五', authorized: true })).toEqual({
      relation: 'self',
      phone: '13812345678',
      source: 'x',
      name: '王五',
      authorized: true
    })
    expect(contactBody({ relation: 'boss', phone: '13812345678', source: 'x' })).toBe(null)
    expect(contactBody({ relation: 'other', phone: '13812345678', source: '' })).toBe(null)
    expect(validityBody('invalid')).toEqual({ validity: 'invalid' })
    expect(validityBody('maybe')).toBe(null)
  })
  it('placement body and the placement in force', () => {
    expect(placementBody({ agency: 1, until: null, reason: ' 难案 ' })).toEqual({ agency: 1, reason: '难案' })
    expect(placementBody({ agency: '2', until: '2027-01-01', reason: 'x' })).toEqual({ agency: 2, until: '2027-01-01', reason: 'x' })
    expect(placementBody({ agency: null, reason: 'x' })).toBe(null)
    expect(placementBody({ agency: 1, reason: '' })).toBe(null)
    const placements = [
      { id: 1, agency_id: 1, recalled_at: 9 },
      { id: 2, agency_id: 1 }
    ]
    expect(currentPlacement({ agency_id: 1, placements })).toEqual({ id: 2, agency_id: 1 })
    expect(currentPlacement({ agency_id: null, placements })).toBe(null)
  })
})

describe('case action endpoints', () => {
  it('methods, paths and bodies', async () => {
    const calls = []
    const fetchImpl = async (url, init) => {
      calls.push([init.method, url, init.body ? JSON.parse(init.body) : undefined, init.headers['X-CSRF-Token']])
      return { ok: true, status: 200, statusText: 'OK', text: async () => '{}' }
    }
    const api = createEndpoints(createApiClient({ fetchImpl, getCsrfToken: () => 'tok' }))
    await api.waivers(5)
    await api.requestWaiver(5, { a: 1 })
    await api.plans(5)
    await api.proposePlan(5, { installments: [] })
    await api.setStatus(5, { status: 'legal', reason: 'r' })
    await api.openDispute(5, { reason: 'r' })
    await api.resolveDispute(7, { resolution: 'ok' })
    await api.disputeFiles(7)
    await api.disputeFile(7, 2)
    await api.stops(5)
    await api.addStop(5, { channel: 'all', reason: 'complaint' })
    await api.liftStop(5, 3, { reason: 'r' })
    await api.addContact(5, { relation: 'other' })
    await api.contactValidity(5, 'C 1', { validity: 'valid' })
    await api.contactStop(5, 'C1', { reason: 'r' })
    await api.place(5, { agency: 1, reason: 'r' })
    await api.recall(5, { reason: 'r' })
    await api.postPayment({ payment_id: 'P', amount: '1.00' })
    expect(calls.map((c) => [c[0], c[1]])).toEqual([
      ['GET', '/api/cases/5/waivers'],
      ['POST', '/api/cases/5/waivers'],
      ['GET', '/api/cases/5/plans'],
      ['POST', '/api/cases/5/plans'],
      ['POST', '/api/cases/5/status'],
      ['POST', '/api/cases/5/disputes'],
      ['POST', '/api/disputes/7/resolve'],
      ['GET', '/api/disputes/7/files'],
      ['GET', '/api/disputes/7/files/2'],
      ['GET', '/api/cases/5/stops'],
      ['POST', '/api/cases/5/stops'],
      ['POST', '/api/cases/5/stops/3/lift'],
      ['POST', '/api/cases/5/contacts'],
      ['POST', '/api/cases/5/contacts/C%201/validity'],
      ['POST', '/api/cases/5/contacts/C1/stop'],
      ['POST', '/api/cases/5/placement'],
      ['POST', '/api/cases/5/recall'],
      ['POST', '/api/payments']
    ])
    expect(calls[4][2]).toEqual({ status: 'legal', reason: 'r' })
    expect(calls.filter((c) => c[0] === 'POST').every((c) => c[3] === 'tok')).toBe(true)
  })
})

describe('i18n keys built at run time for the case actions', () => {
  const root = new URL('../', import.meta.url).pathname
  const load = (lang) => JSON.parse(readFileSync(join(root, 'src/i18n/locales', `${lang}.json`), 'utf8'))
  const get = (o, k) => k.split('.').reduce((x, p) => (x && typeof x === 'object' ? x[p] : undefined), o)
  it('exist in zh and en', () => {
    const keys = [
      ...['new', ...STATUS_TARGETS].map((s) => `caseStatus.${s}`),
      ...WAIVER_COMPONENTS.map((c) => `component.${c}`),
      ...STOP_CHANNELS.map((c) => `stopChannel.${c}`),
      ...STOP_REASONS.map((r) => `stopReason.${r}`),
      ...RELATIONS.map((r) => `relation.${r}`),
      ...VALIDITIES.map((v) => `validity.${v}`),
      ...['pending', 'proposed', 'approved', 'rejected'].map((s) => `approval.${s}`),
      ...['on_track', 'completed', 'broken', 'met', 'missed', 'pending'].map((s) => `tracking.${s}`),
      ...['plan.countRange', 'plan.badAmount', 'plan.badDate', 'plan.pastDate', 'plan.notIncreasing'],
      ...['dispute.tooManyFiles', 'dispute.tooLarge'],
      ...PAYMENT_CHOICES.map((c) => `payChannel.${c}`),
      ...['accountRequired', 'badAmount', 'dateRequired', 'channelRequired', 'referenceRequired', 'badPaymentId'].map((k) => `payment.${k}`)
    ]
    for (const lang of ['zh', 'en']) {
      const m = load(lang)
      expect(keys.filter((k) => typeof get(m, k) !== 'string'), lang).toEqual([])
    }
  })
})

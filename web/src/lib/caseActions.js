// The further actions on a case (waivers, plans, status, disputes, stops,
// skip tracing, placement, payments): form values -> request bodies, and the checks
// the page can make before asking.  The server decides in the end; these
// only spare the user an obvious 400.
//
// Money stays a decimal string; sums and splits are done in integer fen
// with BigInt, never with floats.
import { normalizeAmount } from './money.js'

export const WAIVER_COMPONENTS = ['penalty', 'fee', 'interest', 'principal']
export const CASE_STATUSES = [
  'new',
  'in_collection',
  'promised',
  'on_plan',
  'disputed',
  'legal',
  'paid_off',
  'settled',
  'written_off',
  'closed'
]
// The statuses a user may ask for (never back to "new").
export const STATUS_TARGETS = CASE_STATUSES.filter((s) => s !== 'new')
export const STOP_CHANNELS = ['all', 'call', 'sms', 'email', 'letter', 'visit']
export const STOP_REASONS = ['debtor_request', 'complaint']
export const RELATIONS = [
  'self',
  'spouse',
  'parent',
  'child',
  'sibling',
  'relative',
  'friend',
  'colleague',
  'employer',
  'guarantor',
  'co_borrower',
  'other'
]
export const VALIDITIES = ['valid', 'invalid', 'unverified']
export const PLAN_MAX_INSTALLMENTS = 60
// The server takes request bodies up to 1 MiB; base64 grows by a third.
export const EVIDENCE_MAX_FILES = 10
export const EVIDENCE_MAX_BYTES = 700 * 1024

// The server's status flow (src/http/cases.c `moves`), mirrored to sort and
// hint the choices; the server still enforces it.
export const STATUS_MOVES = {
  new: ['in_collection', 'disputed', 'closed'],
  in_collection: ['promised', 'on_plan', 'disputed', 'legal', 'paid_off', 'settled', 'written_off', 'closed'],
  promised: ['in_collection', 'on_plan', 'disputed', 'legal', 'paid_off', 'settled'],
  on_plan: ['in_collection', 'disputed', 'legal', 'paid_off', 'settled'],
  disputed: ['in_collection', 'legal', 'closed'],
  legal: ['in_collection', 'paid_off', 'settled', 'written_off', 'closed'],
  paid_off: ['closed'],
  settled: ['closed'],
  written_off: ['closed']
}

const MANAGERS = ['admin', 'manager']
const LEADERS = ['admin', 'manager', 'team_leader']
const WORKERS = ['admin', 'manager', 'team_leader', 'collector', 'agency_collector']

// Which roles may move a case to a status (ending a case is a manager's
// call, going legal a team leader's).
export function statusRoleAllows(role, to) {
  if (['settled', 'written_off', 'closed'].includes(to)) return MANAGERS.includes(role)
  if (to === 'legal') return LEADERS.includes(role)
  return WORKERS.includes(role)
}

// The status choices for a role on a case in `current`: every status the
// role may set (but the current one), those the flow allows from `current`
// first; `inFlow: false` ones are offered too, the server says why not.
export function statusOptions(current, role) {
  const flow = STATUS_MOVES[current] || []
  const opts = STATUS_TARGETS.filter((s) => s !== current && statusRoleAllows(role, s)).map((status) => ({
    status,
    inFlow: flow.includes(status)
  }))
  return [...opts.filter((o) => o.inFlow), ...opts.filter((o) => !o.inFlow)]
}

// What a role may do on the case page (the server decides anyway).
export function caseActionRights(role) {
  const worker = WORKERS.includes(role)
  const leader = LEADERS.includes(role)
  const manager = MANAGERS.includes(role)
  return {
    waiver: worker,
    plan: worker,
    status: worker,
    dispute: worker,
    resolveDispute: leader,
    stop: worker,
    liftStop: leader,
    skipTrace: worker,
    placement: manager,
    payment: manager, // POST /api/payments: admins and managers
    any: worker
  }
}

const trimmed = (s) => (typeof s === 'string' ? s.trim() : '')

// ---- money in fen (BigInt) ----

export function toFen(amount) {
  const n = normalizeAmount(amount)
  if (!n) return null
  const [i, f] = n.split('.')
  return BigInt(i) * 100n + BigInt(f)
}

export function fenToAmount(fen) {
  const neg = fen < 0n
  const a = neg ? -fen : fen
  const i = a / 100n
  const f = a % 100n
  return `${neg ? '-' : ''}${i}.${f.toString().padStart(2, '0')}`
}

// ---- waivers ----

// POST /api/cases/{id}/waivers body, or null when incomplete.
export function waiverBody(form) {
  const amount = normalizeAmount(form.amount)
  const reason = trimmed(form.reason)
  if (!form.account_id || !WAIVER_COMPONENTS.includes(form.component) || !amount || !reason) return null
  return { account_id: form.account_id, component: form.component, amount, reason }
}

// ---- repayment plans ----

// Add months to an ISO date, keeping the day when it exists, else the
// month's last day (2027-01-31 + 1 month = 2027-02-28).
export function addMonths(iso, months) {
  const [y, m, d] = iso.split('-').map(Number)
  const total = y * 12 + (m - 1) + months
  const ny = Math.floor(total / 12)
  const nm = (total % 12) + 1
  const last = new Date(Date.UTC(ny, nm, 0)).getUTCDate()
  const nd = Math.min(d, last)
  return `${String(ny).padStart(4, '0')}-${String(nm).padStart(2, '0')}-${String(nd).padStart(2, '0')}`
}

// Split `total` into `count` monthly installments from `firstDue`: equal
// parts in fen, the remainder on the last one.  null when the input is
// unusable (bad amount, count out of 1..60, less than 0.01 per installment).
export function buildInstallments({ total, count, firstDue }) {
  const fen = toFen(total)
  const n = Number(count)
  if (fen === null || !Number.isInteger(n) || n < 1 || n > PLAN_MAX_INSTALLMENTS) return null
  if (!/^\d{4}-\d{2}-\d{2}$/.test(firstDue || '')) return null
  const part = fen / BigInt(n)
  if (part < 1n) return null
  const out = []
  for (let i = 0; i < n; i++) {
    const amount = i === n - 1 ? fen - part * BigInt(n - 1) : part
    out.push({ due_on: addMonths(firstDue, i), amount: fenToAmount(amount) })
  }
  return out
}

// Sum of the installments' amounts ("0.00" when none; invalid ones skipped).
export function planTotal(installments) {
  let sum = 0n
  for (const it of installments || []) {
    const f = toFen(it.amount)
    if (f !== null) sum += f
  }
  return fenToAmount(sum)
}

// The problems of a plan, as i18n keys with the installment's index:
// [{index, key}] (index -1: the whole plan).  Empty when it may be sent.
export function planProblems(installments, today) {
  const list = installments || []
  const out = []
  if (list.length < 1 || list.length > PLAN_MAX_INSTALLMENTS) out.push({ index: -1, key: 'plan.countRange' })
  let prev = null
  list.forEach((it, index) => {
    if (!normalizeAmount(it.amount)) out.push({ index, key: 'plan.badAmount' })
    const d = it.due_on || ''
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) out.push({ index, key: 'plan.badDate' })
    else if (today && d < today) out.push({ index, key: 'plan.pastDate' })
    else if (prev && d <= prev) out.push({ index, key: 'plan.notIncreasing' })
    if (/^\d{4}-\d{2}-\d{2}$/.test(d)) prev = d
  })
  return out
}

// POST /api/cases/{id}/plans body, or null when the plan has problems.
export function planBody(installments, note, today) {
  if (planProblems(installments, today).length) return null
  const body = { installments: installments.map((it) => ({ due_on: it.due_on, amount: normalizeAmount(it.amount) })) }
  const n = trimmed(note)
  if (n) body.note = n
  return body
}

// Tag colour of a plan's status / tracking / installment state.
export function planTagType(value) {
  if (['approved', 'on_track', 'completed', 'met'].includes(value)) return 'success'
  if (['rejected', 'broken', 'missed'].includes(value)) return 'danger'
  if (['proposed', 'pending'].includes(value)) return 'warning'
  return 'info'
}

// ---- status ----

export function statusBody(form) {
  const reason = trimmed(form.reason)
  if (!STATUS_TARGETS.includes(form.status) || !reason) return null
  return { status: form.status, reason }
}

// ---- disputes ----

// base64 of bytes (Uint8Array / ArrayBuffer), without btoa on huge strings.
export function bytesToBase64(bytes) {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  let out = ''
  let i = 0
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2]
    out += abc[(n >> 18) & 63] + abc[(n >> 12) & 63] + abc[(n >> 6) & 63] + abc[n & 63]
  }
  const rest = b.length - i
  if (rest === 1) {
    const n = b[i] << 16
    out += abc[(n >> 18) & 63] + abc[(n >> 12) & 63] + '=='
  } else if (rest === 2) {
    const n = (b[i] << 16) | (b[i + 1] << 8)
    out += abc[(n >> 18) & 63] + abc[(n >> 12) & 63] + abc[(n >> 6) & 63] + '='
  }
  return out
}

// Bytes of base64 text (what GET /api/disputes/{id}/files/{n} answers);
// null when it is not base64.
export function base64ToBytes(text) {
  let bin
  try {
    bin = atob(String(text || ''))
  } catch {
    return null
  }
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

// A file size for people: "812 B", "12.3 KB", "1.4 MB".
export function formatSize(bytes) {
  const n = bytes === null || bytes === undefined || bytes === '' ? NaN : Number(bytes)
  if (!Number.isFinite(n) || n < 0) return ''
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}

// Are these evidence files ({name, size}) within the limits?  An i18n key
// of the problem, or null.
export function evidenceProblem(files) {
  const list = files || []
  if (list.length > EVIDENCE_MAX_FILES) return 'dispute.tooManyFiles'
  const total = list.reduce((s, f) => s + (f.size || 0), 0)
  if (total > EVIDENCE_MAX_BYTES) return 'dispute.tooLarge'
  return null
}

// POST /api/cases/{id}/disputes body; files: [{name, content_base64}].
export function disputeBody(reason, files) {
  const r = trimmed(reason)
  if (!r) return null
  const body = { reason: r }
  if (files && files.length) body.files = files.map((f) => ({ name: f.name, content_base64: f.content_base64 }))
  return body
}

// The disputes of a case from its timeline (there is no list endpoint):
// [{id, reason, at, user_id, status: 'open'|resolved status, resolution}].
export function disputesFromEvents(events) {
  const byId = new Map()
  const list = [...(events || [])].reverse() // oldest first
  for (const ev of list) {
    if (ev.kind === 'dispute_opened') {
      byId.set(ev.id, { id: ev.id, reason: ev.reason, at: ev.at, date: ev.date, user_id: ev.user_id, status: 'open', resolution: null })
    } else if (ev.kind === 'dispute_resolved') {
      const d = byId.get(ev.id) || { id: ev.id, reason: null, at: null, date: null, user_id: null }
      byId.set(ev.id, { ...d, status: ev.status || 'resolved', resolution: ev.resolution || null })
    }
  }
  return [...byId.values()].sort((a, b) => b.id - a.id)
}

export function resolveBody(resolution) {
  const r = trimmed(resolution)
  return r ? { resolution: r } : null
}

// ---- stops ----

export function stopBody(form) {
  if (!STOP_CHANNELS.includes(form.channel) || !STOP_REASONS.includes(form.reason)) return null
  const body = { channel: form.channel, reason: form.reason }
  const note = trimmed(form.note)
  if (note) body.note = note
  return body
}

export const isStopActive = (stop) => !!stop && !stop.lifted_at && !stop.lifted

// Active stops first, newest first within each group.
export function sortStops(stops) {
  const list = [...(stops || [])]
  return list.sort((a, b) => Number(isStopActive(b)) - Number(isStopActive(a)) || b.id - a.id)
}

export function reasonBody(reason) {
  const r = trimmed(reason)
  return r ? { reason: r } : null
}

// ---- skip tracing ----

// An 11-digit mainland mobile number, spaces and dashes dropped; or null.
export function normalizePhone(input) {
  const s = String(input || '').replace(/[\s-]/g, '')
  return /^1\d{10}$/.test(s) ? s : null
}

export function contactBody(form) {
  const phone = normalizePhone(form.phone)
  const source = trimmed(form.source)
  if (!RELATIONS.includes(form.relation) || !phone || !source) return null
  const body = { relation: form.relation, phone, source }
  const name = trimmed(form.name)
  if (name) body.name = name
  if (form.authorized) body.authorized = true
  return body
}

export function validityBody(validity) {
  return VALIDITIES.includes(validity) ? { validity } : null
}

// ---- payments ----

// The channels POST /api/payments books.  Cash is offered too, last, so
// that recording one shows the server's reason for refusing it (collection
// staff never take cash) instead of the option silently missing.
export const PAYMENT_CHANNELS = ['bank_transfer', 'online', 'offset', 'other']
export const PAYMENT_CHOICES = [...PAYMENT_CHANNELS, 'cash']

// A payment_id for a payment entered by hand: the server is idempotent by
// it, so the form keeps one id until the payment is booked and a retried
// click never pays twice.  1-64 of letters, digits, _ - . as the server wants.
export function newPaymentId(now = Date.now(), random = Math.random) {
  const r = Math.floor(random() * 36 ** 6).toString(36).padStart(6, '0')
  return `WEB-${now.toString(36)}-${r}`.toUpperCase()
}

const PAYMENT_ID_RE = /^[A-Za-z0-9_.-]{1,64}$/

// What is wrong with a payment form before asking, as an i18n key, or null.
// Cash is not caught here: the server refuses it with its own message.
export function paymentProblem(form) {
  if (!form.account_id) return 'payment.accountRequired'
  const fen = toFen(form.amount)
  if (fen === null || fen <= 0n) return 'payment.badAmount'
  if (!/^\d{4}-\d{2}-\d{2}$/.test(form.paid_on || '')) return 'payment.dateRequired'
  if (!PAYMENT_CHOICES.includes(form.channel)) return 'payment.channelRequired'
  if (form.channel === 'bank_transfer' && !trimmed(form.reference)) return 'payment.referenceRequired'
  if (!PAYMENT_ID_RE.test(trimmed(form.payment_id))) return 'payment.badPaymentId'
  return null
}

// POST /api/payments body, or null when the form has a problem.  The
// amount goes as yuan with exactly two decimals, from integer fen.
export function paymentBody(form) {
  if (paymentProblem(form)) return null
  const body = {
    payment_id: trimmed(form.payment_id),
    account_id: form.account_id,
    paid_on: form.paid_on,
    amount: fenToAmount(toFen(form.amount)),
    channel: form.channel
  }
  const reference = trimmed(form.reference)
  if (reference) body.reference = reference
  return body
}

// Every payment of the case's accounts, newest first (by date, then id).
export function casePayments(kase) {
  const out = []
  for (const a of (kase && kase.accounts) || []) {
    for (const p of a.payments || []) out.push({ ...p, account_id: a.account_id })
  }
  return out.sort((x, y) => (y.paid_on || '').localeCompare(x.paid_on || '') || String(y.payment_id).localeCompare(String(x.payment_id)))
}

// ---- placement ----

export function placementBody(form) {
  const reason = trimmed(form.reason)
  const agency = Number(form.agency)
  if (!Number.isInteger(agency) || agency <= 0 || !reason) return null
  const body = { agency, reason }
  if (form.until) body.until = form.until
  return body
}

// The placement in force (not recalled), or null.
export function currentPlacement(kase) {
  if (!kase || !kase.agency_id) return null
  const list = kase.placements || []
  return list.find((p) => !p.recalled_at && p.agency_id === kase.agency_id) || list.find((p) => !p.recalled_at) || null
}

// Letters and messages (docs/letters.md): template versions, letter
// batches, the outbox, files that come back as base64 in JSON.
import { base64ToBytes } from './caseActions.js'

export const TEMPLATE_CHANNELS = ['letter', 'sms', 'email']
export const AUDIENCES = ['debtor', 'third_party']
export const KINDS = ['reminder', 'notice', 'final', 'lawyer', 'invoice', 'message']
// Kinds that make a debtor's letter or email a collection demand (the
// server then asks for the demand's elements).
export const DEMAND_KINDS = ['notice', 'final', 'lawyer', 'invoice']
export const BATCH_STATUSES = ['queued', 'running', 'done', 'failed']
export const MESSAGE_STATUSES = ['queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'refused', 'cancelled']
export const OUTBOX_PAGE = 50

// ---- template versions ----

const channelOrder = (c) => {
  const i = TEMPLATE_CHANNELS.indexOf(c)
  return i < 0 ? TEMPLATE_CHANNELS.length : i
}

// The version in force among one code's versions: the newest published.
export function inForce(versions) {
  let best = null
  for (const v of versions || []) {
    if (v.status === 'published' && (!best || v.version > best.version)) best = v
  }
  return best
}

// GET /api/templates' flat list -> one group per (code, channel), letters
// first, then SMS and email, each by code; the versions newest first.
// Each group: {key, code, channel, name, versions, inForce, draft}; `draft`
// is the newest draft (the one an admin edits), `name` the in-force
// version's, else the newest's.
export function groupTemplates(list) {
  const groups = new Map()
  for (const t of list || []) {
    const key = `${t.channel}:${t.code}`
    if (!groups.has(key)) groups.set(key, { key, code: t.code, channel: t.channel, versions: [] })
    groups.get(key).versions.push(t)
  }
  const out = []
  for (const g of groups.values()) {
    g.versions.sort((a, b) => b.version - a.version)
    g.inForce = inForce(g.versions)
    g.draft = g.versions.find((v) => v.status === 'draft') || null
    g.name = (g.inForce || g.versions[0]).name
    out.push(g)
  }
  out.sort((a, b) => channelOrder(a.channel) - channelOrder(b.channel) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
  return out
}

// The templates one may write or send on a channel: the version in force of
// each code, by code.  `audience` narrows (a contact who is not the debtor
// may only get third-party templates; the server checks anyway).
export function publishedChoices(list, channel, audience = null) {
  return groupTemplates(list)
    .filter((g) => g.channel === channel && g.inForce && (!audience || g.inForce.audience === audience))
    .map((g) => g.inForce)
}

// Whether this version is the one in force of its code and channel.
export function isInForce(version, list) {
  if (!version || version.status !== 'published') return false
  const f = inForce((list || []).filter((t) => t.code === version.code && t.channel === version.channel))
  return !!f && f.id === version.id
}

// The editor's form of a version (or a blank one for a new template).
export function templateForm(t) {
  return {
    code: (t && t.code) || '',
    channel: (t && t.channel) || 'letter',
    name: (t && t.name) || '',
    audience: (t && t.audience) || 'debtor',
    kind: (t && t.kind) || 'notice',
    days_to_pay: t && Number.isInteger(t.days_to_pay) ? t.days_to_pay : 7,
    subject: (t && t.subject) || '',
    body: (t && t.body) || ''
  }
}

// The editor's form -> POST /api/templates/{id} body (a draft's fields), or
// with `withKey` the POST /api/templates body (a new version of code and
// channel).  The subject goes with emails only.
export function templateBody(form, withKey = false) {
  const body = {}
  if (withKey) {
    body.code = String(form.code || '').trim()
    body.channel = form.channel
  }
  body.name = String(form.name || '').trim()
  body.audience = form.audience
  body.kind = form.kind
  const days = Number(form.days_to_pay)
  body.days_to_pay = Number.isInteger(days) ? days : form.days_to_pay
  if (form.channel === 'email') body.subject = String(form.subject || '')
  body.body = String(form.body || '')
  return body
}

// The rules' problems of a 400 answer (one a line), else the message.
export function problemsOf(err) {
  if (!err) return []
  const list = err.body && Array.isArray(err.body.problems) ? err.body.problems.filter((p) => typeof p === 'string' && p) : []
  if (list.length) return list
  return err.message ? [err.message] : []
}

// ---- files in JSON ----

// base64 text -> Blob of that type; null when it is not base64.
export function base64ToBlob(text, type = 'application/octet-stream') {
  if (typeof text !== 'string' || !text) return null
  const bytes = base64ToBytes(text)
  return bytes ? new Blob([bytes], { type }) : null
}

// The type of a file by its name: PDF, CSV, else bytes.
export function fileType(name) {
  const n = String(name || '').toLowerCase()
  if (n.endsWith('.pdf')) return 'application/pdf'
  if (n.endsWith('.csv')) return 'text/csv;charset=utf-8'
  return 'application/octet-stream'
}

// An answer {name, content_base64} -> {blob, name}; throws when it is not
// base64 (the caller shows the message).
export function fileOfAnswer(r, fallbackName = 'file') {
  const name = (r && r.name) || fallbackName
  const blob = base64ToBlob(r && r.content_base64, fileType(name))
  if (!blob) throw new Error('not base64')
  return { blob, name }
}

// Let the browser save a blob under a name (a Blob URL and a download
// link: no inline script, nothing the CSP forbids).
export function saveBlob(blob, name, doc = globalThis.document) {
  const url = URL.createObjectURL(blob)
  const a = doc.createElement('a')
  a.href = url
  a.download = name
  doc.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 30000)
  return url
}

// ---- batches ----

export const batchActive = (b) => !!b && (b.status === 'queued' || b.status === 'running')

// A batch's progress: letters handled (written or skipped) of its total,
// and the percentage for a progress bar (100 once done; never over 100).
export function batchProgress(b) {
  if (!b) return { handled: 0, total: 0, percent: 0 }
  const total = Math.max(0, Number(b.total) || 0)
  const handled = Math.max(0, (Number(b.done) || 0) + (Number(b.skipped) || 0))
  let percent
  if (b.status === 'done') percent = 100
  else if (!total) percent = 0
  else percent = Math.min(100, Math.floor((handled * 100) / total))
  return { handled: Math.min(handled, total || handled), total, percent }
}

// The progress bar's status: success when done, exception when failed.
export function batchBarStatus(b) {
  if (!b) return ''
  if (b.status === 'done') return 'success'
  if (b.status === 'failed') return 'exception'
  return ''
}

// How long to wait before asking again about running batches: every
// second at first, then slower for a long batch (at most every 5 s);
// null when none is running (stop polling).
export function pollDelay(batches, polls = 0) {
  if (!(batches || []).some(batchActive)) return null
  if (polls < 10) return 1000
  if (polls < 40) return 2000
  return 5000
}

// Replace a batch in the list by its fresh state (or put it first).
export function mergeBatch(list, b) {
  const out = (list || []).slice()
  const i = out.findIndex((x) => x.id === b.id)
  if (i >= 0) out[i] = b
  else out.unshift(b)
  return out
}

// "12, 13 14\n15" -> {ids: [12, 13, 14, 15], bad: []}; duplicates dropped,
// whatever is not a positive integer listed in `bad`.
export function parseCaseIds(text) {
  const ids = []
  const bad = []
  const seen = new Set()
  for (const part of String(text || '').split(/[\s,，;；]+/)) {
    if (!part) continue
    if (!/^[0-9]+$/.test(part) || Number(part) <= 0 || !Number.isSafeInteger(Number(part))) {
      bad.push(part)
      continue
    }
    const n = Number(part)
    if (!seen.has(n)) {
      seen.add(n)
      ids.push(n)
    }
  }
  return { ids, bad }
}

// The start form -> POST /api/letters/batches body, or {error: key}.
// From the day's treatments: {} or {template}; from a list: {template,
// case_ids} (a template is needed then).
export function batchBody(form) {
  const template = String(form.template || '').trim()
  if (form.source === 'cases') {
    const { ids, bad } = parseCaseIds(form.caseIds)
    if (bad.length) return { error: 'batch.badIds', bad }
    if (!ids.length) return { error: 'batch.idsRequired' }
    if (ids.length > 100000) return { error: 'batch.tooManyIds' }
    if (!template) return { error: 'batch.templateRequired' }
    return { body: { template, case_ids: ids } }
  }
  return { body: template ? { template } : {} }
}

// The case list's filters (CasesView's `filters`: bucket, sort, promise,
// collector, follow_up_due, lost_contact) -> POST /api/letters/batches
// body {template, filter} for the cases they select, or {error: key}.
// Only the filters set go (an empty filter: every case in the caller's
// scope); the sort never does (it orders the list, it selects nothing).
// The collector is an id: a number; anything else is sent as it is, for
// the server to refuse, never dropped (that would widen the batch).
export function filterBatchBody(filters, template) {
  const code = String(template || '').trim()
  if (!code) return { error: 'batch.templateRequired' }
  const f = filters || {}
  const filter = {}
  if (f.bucket) filter.bucket = String(f.bucket)
  if (f.promise) filter.promise = String(f.promise)
  if (f.collector !== null && f.collector !== undefined && f.collector !== '') {
    const id = Number(f.collector)
    filter.collector = Number.isSafeInteger(id) && String(id) === String(f.collector).trim() ? id : f.collector
  }
  if (f.follow_up_due) filter.follow_up = 'due'
  if (f.lost_contact) filter.lost_contact = true
  return { body: { template: code, filter } }
}

// ---- messages ----

// POST /api/cases/{id}/messages body.
export function messageBody(form) {
  const body = { template: form.template, channel: form.channel }
  if (form.contact_id) body.contact_id = form.contact_id
  return body
}

// Tag colour of a message's or a batch's status.
export function statusTagType(status) {
  switch (status) {
    case 'delivered':
    case 'sent':
    case 'done':
    case 'published':
      return 'success'
    case 'queued':
    case 'sending':
    case 'running':
    case 'draft':
      return 'warning'
    case 'failed':
    case 'refused':
    case 'undelivered':
      return 'danger'
    default:
      return 'info'
  }
}

// The message lists (a case's, the outbox) come a keyset page at a time:
// `?before=&limit=` (limit 1-500), answered {messages, next_before} with
// next_before null on the last page (docs/letters.md).  A case's messages
// 50 at a time, like the outbox.
export const CASE_MESSAGES_PAGE = 50

// The next page's `before` guessed from a page alone: the last id when
// the page was full (more may follow), else null.  For an answer without
// next_before (an older server).
export function nextBefore(page, limit = OUTBOX_PAGE) {
  if (!page || page.length < limit) return null
  const last = page[page.length - 1]
  return last && last.id ? last.id : null
}

// The next page's `before` from an answer: the server's next_before.
export function pageNext(data, limit = OUTBOX_PAGE) {
  if (data && Object.prototype.hasOwnProperty.call(data, 'next_before')) return data.next_before ?? null
  return nextBefore(data && data.messages, limit)
}

// The list shown with a further page added; a message already shown is
// not repeated.
export function appendPage(shown, page) {
  const seen = new Set((shown || []).map((m) => m.id))
  return (shown || []).concat((page || []).filter((m) => !seen.has(m.id)))
}

// One page of a message list.  fetchPage(query) is the API call (the
// query: before, limit); more: the next page after `shown` (from
// `before`), else the first.  Answers {messages: the list to show,
// before: the next page's before, or null when there is none}.
export async function loadMessagePage(fetchPage, { shown = [], before = null, more = false, limit = OUTBOX_PAGE } = {}) {
  const query = more && before ? { before, limit } : { limit }
  const data = await fetchPage(query)
  const page = (data && data.messages) || []
  return { messages: more ? appendPage(shown, page) : page, before: pageNext(data, limit) }
}

// Why a message is where it is: a refusal's rule and text, or the last
// error (a quiet-hours hold, a channel's answer).
export function messageReason(m) {
  if (!m) return ''
  const parts = []
  if (m.rule) parts.push(m.rule)
  if (m.last_error) parts.push(m.last_error)
  return parts.join(' · ')
}

// ---- who may do what ----

export function letterRights(role) {
  const admin = role === 'admin'
  const manager = role === 'manager'
  const leader = role === 'team_leader'
  const collector = role === 'collector'
  const agency = role === 'agency_collector'
  const auditor = role === 'auditor'
  return {
    templatesView: admin || manager || leader || collector || agency || auditor, // an agency: the published ones
    templatesEdit: admin,
    preview: admin || manager || leader || collector,
    batchesView: admin || manager || leader || auditor,
    batchesStart: admin || manager || leader,
    outboxView: admin || manager || leader || auditor,
    outboxFromTreatments: admin || manager,
    write: admin || manager || leader || collector || agency,
    send: admin || manager || leader || collector || agency
  }
}

// ---- the help panel: the data a template sees (docs/letters.md) and
// the letters' layout.  The descriptions are i18n keys tmpl.data.<key>. ----

export const TEMPLATE_DATA = [
  { names: ['serial'], key: 'serial' },
  { names: ['today'], key: 'today' },
  { names: ['as_of'], key: 'asOf' },
  { names: ['deadline'], key: 'deadline' },
  { names: ['next_due'], key: 'nextDue' },
  {
    names: ['debtor.name', 'debtor.salutation', 'debtor.address', 'debtor.kind', 'debtor.person', 'debtor.company', 'debtor.id_masked', 'debtor.phone_masked'],
    key: 'debtor'
  },
  { names: ['addressee.name', 'addressee.relation'], key: 'addressee' },
  { names: ['creditor.name', 'creditor.phone', 'creditor.address', 'creditor.website'], key: 'creditor' },
  { names: ['contract'], key: 'contract' },
  {
    names: ['owed.principal', 'owed.interest', 'owed.fee', 'owed.penalty', 'owed.total', 'owed.principal_cn', 'owed.interest_cn', 'owed.fee_cn', 'owed.penalty_cn', 'owed.total_cn'],
    key: 'owed'
  },
  { names: ['outstanding.principal', 'outstanding.principal_cn'], key: 'outstanding' },
  { names: ['dpd', 'bucket'], key: 'dpd' },
  { names: ['accounts'], key: 'accounts' },
  { names: ['collector.name', 'collector.phone'], key: 'collector' },
  { names: ['callback_phone'], key: 'callback' },
  { names: ['promise.amount', 'promise.due_on'], key: 'promise' },
  { names: ['letterhead.org', 'letterhead.org_line'], key: 'letterhead' },
  { names: ['lawyer.firm', 'lawyer.name', 'lawyer.license', 'lawyer.address', 'lawyer.phone'], key: 'lawyer' }
]

// An account's names inside {{#each accounts}}.
export const ACCOUNT_DATA = [
  'id',
  'id_masked',
  'product',
  'open_date',
  'dpd',
  'bucket',
  'owed_principal',
  'owed_interest',
  'owed_fee',
  'owed_penalty',
  'owed_interest_fee',
  'owed_total',
  'outstanding'
]

export const TEMPLATE_TAGS = [
  { tag: '{{debtor.name}}', key: 'value' },
  { tag: '{{#each accounts}} … {{/each}}', key: 'each' },
  { tag: '{{@n}}', key: 'number' },
  { tag: '{{#if path}} … {{else}} … {{/if}}', key: 'if' },
  { tag: '{{#section basis}} … {{/section}}', key: 'section' },
  { tag: '{{! … }}', key: 'comment' }
]

export const LAYOUT_MARKUP = [
  { line: '# 标题', key: 'title' },
  { line: '## 副标题', key: 'subtitle' },
  { line: '> 右对齐', key: 'right' },
  { line: '| a | b |', key: 'table' },
  { line: '---', key: 'rule' },
  { line: '**粗体**', key: 'bold' },
  { line: '\\*  \\#  \\|', key: 'escape' },
  { line: '　　正文', key: 'paragraph' }
]

// The sections a demand must carry.
export const DEMAND_SECTIONS = ['basis', 'rights', 'check', 'dispute']

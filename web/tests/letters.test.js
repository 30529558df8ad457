import { afterEach, describe, expect, it, vi } from 'vitest'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createApiClient, createEndpoints, ApiError } from '../src/api/client.js'
import { bytesToBase64 } from '../src/lib/caseActions.js'
import { ROLES } from '../src/lib/nav.js'
import {
  ACCOUNT_DATA,
  AUDIENCES,
  BATCH_STATUSES,
  KINDS,
  LAYOUT_MARKUP,
  MESSAGE_STATUSES,
  TEMPLATE_CHANNELS,
  TEMPLATE_DATA,
  TEMPLATE_TAGS,
  base64ToBlob,
  batchActive,
  batchBarStatus,
  batchBody,
  batchProgress,
  fileOfAnswer,
  fileType,
  filterBatchBody,
  groupTemplates,
  inForce,
  isInForce,
  letterRights,
  mergeBatch,
  messageBody,
  messageReason,
  nextBefore,
  pageNext,
  appendPage,
  loadMessagePage,
  CASE_MESSAGES_PAGE,
  parseCaseIds,
  pollDelay,
  problemsOf,
  publishedChoices,
  saveBlob,
  statusTagType,
  templateBody,
  templateForm
} from '../src/lib/letters.js'

const root = new URL('../', import.meta.url).pathname
const repo = join(root, '..')

// The shape of GET /api/templates (the demo's, plus drafts).
const T = (id, code, channel, version, status, extra = {}) => ({
  id,
  code,
  channel,
  version,
  status,
  name: `${code} v${version}`,
  audience: 'debtor',
  kind: 'notice',
  days_to_pay: 7,
  published_at: status === 'published' ? 1796662809 : null,
  ...extra
})
const LIST = [
  T(8, 'first_notice', 'sms', 1, 'published', { kind: 'reminder' }),
  T(1, 'first_notice', 'letter', 1, 'published'),
  T(11, 'first_notice', 'letter', 2, 'published'),
  T(12, 'first_notice', 'letter', 3, 'draft'),
  T(4, 'lawyers_letter', 'letter', 1, 'published', { kind: 'lawyer' }),
  T(13, 'new_code', 'letter', 1, 'draft'),
  T(6, 'invoice_overdue', 'email', 1, 'published', { kind: 'invoice' }),
  T(9, 'callback', 'sms', 1, 'published', { audience: 'third_party', kind: 'message' })
]

describe('template versions', () => {
  it('groups by code and channel: letters, then SMS, then email, each by code; newest version first', () => {
    const g = groupTemplates(LIST)
    expect(g.map((x) => x.key)).toEqual([
      'letter:first_notice',
      'letter:lawyers_letter',
      'letter:new_code',
      'sms:callback',
      'sms:first_notice',
      'email:invoice_overdue'
    ])
    expect(g[0].versions.map((v) => v.version)).toEqual([3, 2, 1])
  })
  it('the version in force is the newest published, not a newer draft', () => {
    const g = groupTemplates(LIST)
    expect(g[0].inForce.id).toBe(11)
    expect(g[0].draft.id).toBe(12)
    expect(g[0].name).toBe('first_notice v2')
    const fresh = g.find((x) => x.code === 'new_code')
    expect(fresh.inForce).toBe(null)
    expect(fresh.draft.id).toBe(13)
    expect(fresh.name).toBe('new_code v1')
    expect(inForce([])).toBe(null)
    expect(inForce(undefined)).toBe(null)
    expect(groupTemplates(null)).toEqual([])
  })
  it('the same code on two channels is two templates', () => {
    const g = groupTemplates(LIST).filter((x) => x.code === 'first_notice')
    expect(g.map((x) => x.channel)).toEqual(['letter', 'sms'])
    expect(g[1].inForce.id).toBe(8)
  })
  it('isInForce: only the newest published version of its code and channel', () => {
    expect(isInForce(LIST.find((t) => t.id === 11), LIST)).toBe(true)
    expect(isInForce(LIST.find((t) => t.id === 1), LIST)).toBe(false)
    expect(isInForce(LIST.find((t) => t.id === 12), LIST)).toBe(false)
    expect(isInForce(LIST.find((t) => t.id === 8), LIST)).toBe(true)
    expect(isInForce(null, LIST)).toBe(false)
  })
  it('the choices to write or send: the versions in force of a channel, by audience', () => {
    expect(publishedChoices(LIST, 'letter').map((t) => t.id)).toEqual([11, 4])
    expect(publishedChoices(LIST, 'sms').map((t) => t.code)).toEqual(['callback', 'first_notice'])
    expect(publishedChoices(LIST, 'sms', 'debtor').map((t) => t.code)).toEqual(['first_notice'])
    expect(publishedChoices(LIST, 'sms', 'third_party').map((t) => t.code)).toEqual(['callback'])
    expect(publishedChoices(LIST, 'email').map((t) => t.code)).toEqual(['invoice_overdue'])
    expect(publishedChoices([], 'letter')).toEqual([])
  })
})

describe('the template editor', () => {
  it('a blank form for a new template, a version\'s form otherwise', () => {
    expect(templateForm(null)).toEqual({
      code: '',
      channel: 'letter',
      name: '',
      audience: 'debtor',
      kind: 'notice',
      days_to_pay: 7,
      subject: '',
      body: ''
    })
    const f = templateForm({ ...LIST[6], subject: '逾期账款', body: '{{debtor.name}}', days_to_pay: 0 })
    expect(f.channel).toBe('email')
    expect(f.days_to_pay).toBe(0)
    expect(f.subject).toBe('逾期账款')
  })
  it('a draft\'s body: no code or channel; a new version\'s: with them; the subject for emails only', () => {
    const form = { code: ' notice9 ', channel: 'letter', name: ' 九 ', audience: 'debtor', kind: 'final', days_to_pay: 10, subject: 'x', body: '# 标题\n' }
    expect(templateBody(form)).toEqual({ name: '九', audience: 'debtor', kind: 'final', days_to_pay: 10, body: '# 标题\n' })
    expect(templateBody(form, true)).toEqual({
      code: 'notice9',
      channel: 'letter',
      name: '九',
      audience: 'debtor',
      kind: 'final',
      days_to_pay: 10,
      body: '# 标题\n'
    })
    expect(templateBody({ ...form, channel: 'email' }, true).subject).toBe('x')
    expect(templateBody({ ...form, days_to_pay: '12' }).days_to_pay).toBe(12)
  })
  it('the rules\' problems of a 400, else the message', () => {
    const e = new ApiError({
      status: 400,
      code: 'HK_EINVAL',
      message: '第 3 行：没有“debtor.nmae”这个数据\n催收函须含 {{#section dispute}}',
      body: { code: 'HK_EINVAL', message: '…', problems: ['第 3 行：没有“debtor.nmae”这个数据', '催收函须含 {{#section dispute}}', ''] }
    })
    expect(problemsOf(e)).toEqual(['第 3 行：没有“debtor.nmae”这个数据', '催收函须含 {{#section dispute}}'])
    expect(problemsOf(new ApiError({ status: 409, code: 'HK_EREFUSED', message: '已发布的版本不能修改' }))).toEqual(['已发布的版本不能修改'])
    expect(problemsOf(null)).toEqual([])
  })
})

describe('files in JSON', () => {
  it('base64 -> Blob of the bytes, with its type', async () => {
    const bytes = new Uint8Array([37, 80, 68, 70, 45, 0, 255, 128, 10])
    const blob = base64ToBlob(bytesToBase64(bytes), 'application/pdf')
    expect(blob.type).toBe('application/pdf')
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(bytes)
    expect(base64ToBlob('not base64!!')).toBe(null)
    expect(base64ToBlob('')).toBe(null)
    expect(base64ToBlob(undefined)).toBe(null)
  })
  it('the type by the file\'s name', () => {
    expect(fileType('HK-2026-000001.pdf')).toBe('application/pdf')
    expect(fileType('batch-3-manifest.csv')).toBe('text/csv;charset=utf-8')
    expect(fileType('x.bin')).toBe('application/octet-stream')
    expect(fileType(null)).toBe('application/octet-stream')
  })
  it('an answer {name, content_base64} -> {blob, name}; a broken one throws', async () => {
    const f = fileOfAnswer({ name: 'batch-2-manifest.csv', content_base64: bytesToBase64(new TextEncoder().encode('serial,case\n')) })
    expect(f.name).toBe('batch-2-manifest.csv')
    expect(f.blob.type).toBe('text/csv;charset=utf-8')
    expect(await f.blob.text()).toBe('serial,case\n')
    expect(fileOfAnswer({ content_base64: 'JVBERg==' }, 'p.pdf').name).toBe('p.pdf')
    expect(() => fileOfAnswer({ name: 'x.pdf', content_base64: '%%%' })).toThrow()
    expect(() => fileOfAnswer(null)).toThrow()
  })
  describe('saving', () => {
    afterEach(() => vi.useRealTimers())
    it('a download link to a Blob URL, clicked, removed, the URL revoked later', () => {
      vi.useFakeTimers()
      const clicked = []
      const a = { click: vi.fn(() => clicked.push(a.download)), remove: vi.fn() }
      const doc = { createElement: vi.fn(() => a), body: { appendChild: vi.fn() } }
      const revoke = vi.spyOn(URL, 'revokeObjectURL')
      const url = saveBlob(new Blob(['x']), 'HK-2026-000001.pdf', doc)
      expect(url.startsWith('blob:')).toBe(true)
      expect(a.href).toBe(url)
      expect(clicked).toEqual(['HK-2026-000001.pdf'])
      expect(a.remove).toHaveBeenCalled()
      expect(revoke).not.toHaveBeenCalled()
      vi.advanceTimersByTime(30000)
      expect(revoke).toHaveBeenCalledWith(url)
      revoke.mockRestore()
    })
  })
})

describe('letter batches', () => {
  const B = (status, total, done, skipped = 0) => ({ id: 1, status, total, done, skipped })
  it('progress: written and skipped letters of the total, 100 once done', () => {
    expect(batchProgress(B('queued', 228, 0))).toEqual({ handled: 0, total: 228, percent: 0 })
    expect(batchProgress(B('running', 228, 100, 14))).toEqual({ handled: 114, total: 228, percent: 50 })
    expect(batchProgress(B('running', 3, 2, 0)).percent).toBe(66)
    expect(batchProgress(B('done', 4, 3, 1))).toEqual({ handled: 4, total: 4, percent: 100 })
    expect(batchProgress(B('done', 0, 0))).toEqual({ handled: 0, total: 0, percent: 100 })
    expect(batchProgress(B('running', 0, 0)).percent).toBe(0)
    expect(batchProgress(B('running', 10, 12)).percent).toBe(100)
    expect(batchProgress(B('failed', 10, 4, 1)).percent).toBe(50)
    expect(batchProgress(null).percent).toBe(0)
  })
  it('queued and running batches are followed; done and failed ones are not', () => {
    expect(BATCH_STATUSES.filter((s) => batchActive({ status: s }))).toEqual(['queued', 'running'])
    expect(batchActive(null)).toBe(false)
    expect(batchBarStatus(B('done', 1, 1))).toBe('success')
    expect(batchBarStatus(B('failed', 1, 0))).toBe('exception')
    expect(batchBarStatus(B('running', 1, 0))).toBe('')
  })
  it('polling: every second, then every two, then every five; none once nothing runs', () => {
    const running = [B('done', 1, 1), B('running', 10, 1)]
    expect(pollDelay(running, 0)).toBe(1000)
    expect(pollDelay(running, 9)).toBe(1000)
    expect(pollDelay(running, 10)).toBe(2000)
    expect(pollDelay(running, 40)).toBe(5000)
    expect(pollDelay([B('queued', 5, 0)])).toBe(1000)
    expect(pollDelay([B('done', 1, 1), B('failed', 1, 0)], 0)).toBe(null)
    expect(pollDelay([], 0)).toBe(null)
    expect(pollDelay(undefined)).toBe(null)
  })
  it('a fresh state replaces its batch, a new batch goes first', () => {
    const list = [{ id: 2, status: 'running' }, { id: 1, status: 'done' }]
    expect(mergeBatch(list, { id: 2, status: 'done' })).toEqual([{ id: 2, status: 'done' }, { id: 1, status: 'done' }])
    expect(mergeBatch(list, { id: 3, status: 'queued' }).map((b) => b.id)).toEqual([3, 2, 1])
    expect(list[0].status).toBe('running')
  })
  it('case ids typed in any separator, duplicates dropped, the rest reported', () => {
    expect(parseCaseIds('11, 12 27\n3，11；5')).toEqual({ ids: [11, 12, 27, 3, 5], bad: [] })
    expect(parseCaseIds('11 x12 0 -4 1.5')).toEqual({ ids: [11], bad: ['x12', '0', '-4', '1.5'] })
    expect(parseCaseIds('')).toEqual({ ids: [], bad: [] })
    expect(parseCaseIds(null)).toEqual({ ids: [], bad: [] })
  })
  it('the start form -> POST /api/letters/batches body', () => {
    expect(batchBody({ source: 'treatments', template: '' })).toEqual({ body: {} })
    expect(batchBody({ source: 'treatments', template: 'final_notice' })).toEqual({ body: { template: 'final_notice' } })
    expect(batchBody({ source: 'cases', template: 'first_notice', caseIds: '11 12' })).toEqual({
      body: { template: 'first_notice', case_ids: [11, 12] }
    })
    expect(batchBody({ source: 'cases', template: '', caseIds: '11' })).toEqual({ error: 'batch.templateRequired' })
    expect(batchBody({ source: 'cases', template: 'x', caseIds: ' ' })).toEqual({ error: 'batch.idsRequired' })
    expect(batchBody({ source: 'cases', template: 'x', caseIds: '1 a' })).toEqual({ error: 'batch.badIds', bad: ['a'] })
  })
})

describe('a batch from the case list\'s filters', () => {
  // CasesView's filters as the page starts: nothing chosen, sorted by DPD
  const none = { bucket: '', sort: 'dpd', promise: '', collector: null, follow_up_due: false, lost_contact: false }
  it('no filter set: an empty filter (every case in the caller\'s scope)', () => {
    expect(filterBatchBody(none, 'first_notice')).toEqual({ body: { template: 'first_notice', filter: {} } })
    expect(filterBatchBody({}, 'first_notice')).toEqual({ body: { template: 'first_notice', filter: {} } })
    expect(filterBatchBody(null, 'first_notice')).toEqual({ body: { template: 'first_notice', filter: {} } })
  })
  it('each filter under the name GET /api/cases gives it', () => {
    const one = (f) => filterBatchBody({ ...none, ...f }, 'final_notice').body.filter
    expect(one({ bucket: 'M3' })).toEqual({ bucket: 'M3' })
    expect(one({ bucket: 'M7+' })).toEqual({ bucket: 'M7+' })
    expect(one({ promise: 'broken' })).toEqual({ promise: 'broken' })
    expect(one({ collector: 7 })).toEqual({ collector: 7 })
    expect(one({ collector: '12' })).toEqual({ collector: 12 })
    expect(one({ follow_up_due: true })).toEqual({ follow_up: 'due' })
    expect(one({ lost_contact: true })).toEqual({ lost_contact: true })
    expect(filterBatchBody({ bucket: 'M2', sort: 'overdue', promise: 'pending', collector: 3, follow_up_due: true, lost_contact: true }, 'final_notice')).toEqual({
      body: { template: 'final_notice', filter: { bucket: 'M2', promise: 'pending', collector: 3, follow_up: 'due', lost_contact: true } }
    })
  })
  it('cleared selects send nothing (Element Plus clears to \'\', null or undefined)', () => {
    expect(filterBatchBody({ ...none, bucket: undefined, promise: null, collector: undefined }, 'x').body.filter).toEqual({})
    expect(filterBatchBody({ ...none, collector: '' }, 'x').body.filter).toEqual({})
  })
  it('a collector that is not an id goes as it is, for the server to refuse, not dropped', () => {
    expect(filterBatchBody({ ...none, collector: 'li.na' }, 'x').body.filter).toEqual({ collector: 'li.na' })
    expect(filterBatchBody({ ...none, collector: '1.5' }, 'x').body.filter).toEqual({ collector: '1.5' })
  })
  it('the sort is never sent', () => {
    for (const sort of ['dpd', 'overdue', 'follow_up', 'id']) {
      expect(filterBatchBody({ ...none, sort }, 'x').body).toEqual({ template: 'x', filter: {} })
    }
  })
  it('no template: the error, whatever the filters', () => {
    expect(filterBatchBody({ ...none, bucket: 'M3' }, '')).toEqual({ error: 'batch.templateRequired' })
    expect(filterBatchBody(none, '  ')).toEqual({ error: 'batch.templateRequired' })
    expect(filterBatchBody(none, null)).toEqual({ error: 'batch.templateRequired' })
    expect(filterBatchBody(none, undefined)).toEqual({ error: 'batch.templateRequired' })
    expect(filterBatchBody(none, ' first_notice ').body.template).toBe('first_notice')
  })
  it('the filters object is not changed', () => {
    const f = { ...none, bucket: 'M1', collector: '5' }
    filterBatchBody(f, 'x')
    expect(f).toEqual({ ...none, bucket: 'M1', collector: '5' })
  })
})

describe('messages and the outbox', () => {
  it('the send body: the contact only when chosen', () => {
    expect(messageBody({ template: 'first_notice', channel: 'sms', contact_id: '' })).toEqual({ template: 'first_notice', channel: 'sms' })
    expect(messageBody({ template: 'callback', channel: 'sms', contact_id: 'C0000025' })).toEqual({
      template: 'callback',
      channel: 'sms',
      contact_id: 'C0000025'
    })
  })
  it('a colour for every status', () => {
    expect(statusTagType('delivered')).toBe('success')
    expect(statusTagType('sent')).toBe('success')
    expect(statusTagType('queued')).toBe('warning')
    expect(statusTagType('refused')).toBe('danger')
    expect(statusTagType('failed')).toBe('danger')
    expect(statusTagType('cancelled')).toBe('info')
    expect(statusTagType('done')).toBe('success')
    expect(statusTagType('running')).toBe('warning')
    expect(statusTagType('draft')).toBe('warning')
    expect(statusTagType('published')).toBe('success')
  })
  it('the next page: the last id of a full page', () => {
    const page = Array.from({ length: 50 }, (_, i) => ({ id: 200 - i }))
    expect(nextBefore(page, 50)).toBe(151)
    expect(nextBefore(page.slice(0, 49), 50)).toBe(null)
    expect(nextBefore([], 50)).toBe(null)
    expect(nextBefore(null)).toBe(null)
  })
  it('the next page from the answer: the server\'s next_before, null on the last page', () => {
    expect(pageNext({ messages: [{ id: 3 }], next_before: 3 }, 50)).toBe(3)
    // a full last page: no empty page to follow
    const full = Array.from({ length: 50 }, (_, i) => ({ id: 50 - i }))
    expect(pageNext({ messages: full, next_before: null }, 50)).toBe(null)
    // an answer without next_before (an older server): guessed from the page
    expect(pageNext({ messages: full }, 50)).toBe(1)
    expect(pageNext(null, 50)).toBe(null)
  })
  it('a further page is appended; a message already shown is not repeated', () => {
    expect(appendPage([{ id: 9 }, { id: 8 }], [{ id: 8 }, { id: 7 }]).map((m) => m.id)).toEqual([9, 8, 7])
    expect(appendPage(null, [{ id: 1 }])).toEqual([{ id: 1 }])
    expect(appendPage([{ id: 1 }], null)).toEqual([{ id: 1 }])
  })
  it('load more: the first page, then the pages before next_before, until it is null', async () => {
    // a case with 120 messages, ids 120..1, served by the rules of the API
    const all = Array.from({ length: 120 }, (_, i) => ({ id: 120 - i }))
    const asked = []
    const fetchPage = async (query) => {
      asked.push(query)
      const rest = query.before ? all.filter((m) => m.id < query.before) : all
      const messages = rest.slice(0, query.limit)
      return { messages, next_before: rest.length > query.limit ? messages[messages.length - 1].id : null }
    }
    let r = await loadMessagePage(fetchPage, { limit: CASE_MESSAGES_PAGE })
    expect(r.messages.map((m) => m.id)).toEqual(all.slice(0, 50).map((m) => m.id))
    expect(r.before).toBe(71)
    r = await loadMessagePage(fetchPage, { shown: r.messages, before: r.before, more: true, limit: CASE_MESSAGES_PAGE })
    expect(r.messages.length).toBe(100)
    expect(r.before).toBe(21)
    r = await loadMessagePage(fetchPage, { shown: r.messages, before: r.before, more: true, limit: CASE_MESSAGES_PAGE })
    expect(r.messages.map((m) => m.id)).toEqual(all.map((m) => m.id))
    expect(r.before).toBe(null)
    expect(asked).toEqual([{ limit: 50 }, { before: 71, limit: 50 }, { before: 21, limit: 50 }])
    // a reload (not more) starts over from the newest
    r = await loadMessagePage(fetchPage, { shown: r.messages, before: r.before, limit: CASE_MESSAGES_PAGE })
    expect(r.messages.length).toBe(50)
    expect(asked[3]).toEqual({ limit: 50 })
    // an answer without messages: an empty list, no next page
    expect(await loadMessagePage(async () => ({}), { limit: 50 })).toEqual({ messages: [], before: null })
  })
  it('why a message waits or was refused: its rule and its last error', () => {
    expect(messageReason({ rule: 'GR-HOURS', last_error: '22:00 至 08:00 不得联系' })).toBe('GR-HOURS · 22:00 至 08:00 不得联系')
    expect(messageReason({ rule: '', last_error: '22:00 至 08:00（债务人当地时间）不得联系' })).toBe('22:00 至 08:00（债务人当地时间）不得联系')
    expect(messageReason({ rule: '', last_error: '' })).toBe('')
    expect(messageReason(null)).toBe('')
  })
})

describe('who may do what', () => {
  it('auditors read templates, batches and the outbox, and write nothing', () => {
    const r = letterRights('auditor')
    expect(r.templatesView && r.batchesView && r.outboxView).toBe(true)
    expect(r.templatesEdit || r.preview || r.batchesStart || r.outboxFromTreatments || r.write || r.send).toBe(false)
  })
  it('only admins edit templates; admins and managers queue the day\'s messages', () => {
    expect(ROLES.filter((r) => letterRights(r).templatesEdit)).toEqual(['admin'])
    expect(ROLES.filter((r) => letterRights(r).outboxFromTreatments)).toEqual(['admin', 'manager'])
    expect(ROLES.filter((r) => letterRights(r).batchesStart)).toEqual(['admin', 'manager', 'team_leader'])
  })

  // The rights against the server's own table of routes, when the sources
  // are beside (src/http/routes.c: each route's roles).
  const routesFile = join(repo, 'src/http/routes.c')
  it.skipIf(!existsSync(routesFile))('the same roles as the server\'s routes', () => {
    const text = readFileSync(routesFile, 'utf8')
    const bit = { admin: 'ADMIN', manager: 'MANAGER', team_leader: 'TEAM_LEADER', collector: 'COLLECTOR', agency_collector: 'AGENCY_COLLECTOR', auditor: 'AUDITOR' }
    function rolesOf(method, path) {
      const start = text.indexOf(`{"${method}", "${path}",`)
      expect(start, `${method} ${path}`).toBeGreaterThanOrEqual(0)
      // the roles follow the route's tag: "letters", HK_ROLE_… , NULL}
      const m = text.slice(start).match(/"letters",\s*([^,]+),\s*(NULL|"[^"]*")\}/)
      const expr = m[1]
      if (/HK_ROLE_ANY/.test(expr)) return [...ROLES]
      return ROLES.filter((r) => new RegExp(`HK_ROLE_${bit[r]}\\b`).test(expr))
    }
    const who = (right) => ROLES.filter((r) => letterRights(r)[right])
    expect(who('templatesView')).toEqual(rolesOf('GET', '/api/templates'))
    expect(who('templatesEdit')).toEqual(rolesOf('POST', '/api/templates'))
    expect(who('templatesEdit')).toEqual(rolesOf('POST', '/api/templates/{id}/publish'))
    expect(who('preview')).toEqual(rolesOf('POST', '/api/templates/{id}/preview'))
    expect(who('batchesView')).toEqual(rolesOf('GET', '/api/letters/batches'))
    expect(who('batchesStart')).toEqual(rolesOf('POST', '/api/letters/batches'))
    expect(who('outboxView')).toEqual(rolesOf('GET', '/api/outbox'))
    expect(who('outboxFromTreatments')).toEqual(rolesOf('POST', '/api/outbox/from-treatments'))
    expect(who('write')).toEqual(rolesOf('POST', '/api/cases/{id}/letters'))
    expect(who('send')).toEqual(rolesOf('POST', '/api/cases/{id}/messages'))
  })
})

describe('the help panel', () => {
  // Every name listed is one the server knows, and the server knows no
  // name the help leaves out (src/batch/letters.c: top_names, account_names).
  const catalogue = join(repo, 'src/batch/letters.c')
  it.skipIf(!existsSync(catalogue))('lists exactly the server\'s catalogue of data names', () => {
    const text = readFileSync(catalogue, 'utf8')
    const namesOf = (array) => {
      const body = text.slice(text.indexOf(`${array}[] = {`), text.indexOf('NULL}', text.indexOf(`${array}[] = {`)))
      return [...body.matchAll(/"([a-z_.]+)"/g)].map((m) => m[1]).sort()
    }
    expect(TEMPLATE_DATA.flatMap((r) => r.names).sort()).toEqual(namesOf('top_names'))
    expect([...ACCOUNT_DATA].sort()).toEqual(namesOf('account_names'))
  })
  it('every description is in both languages', () => {
    const zh = JSON.parse(readFileSync(join(root, 'src/i18n/locales/zh.json'), 'utf8'))
    const en = JSON.parse(readFileSync(join(root, 'src/i18n/locales/en.json'), 'utf8'))
    const get = (o, key) => key.split('.').reduce((x, k) => (x ? x[k] : undefined), o)
    const keys = [
      ...TEMPLATE_DATA.map((r) => `tmpl.data.${r.key}`),
      ...TEMPLATE_TAGS.map((r) => `tmpl.help.tag.${r.key}`),
      ...LAYOUT_MARKUP.map((r) => `tmpl.help.markup.${r.key}`),
      ...TEMPLATE_CHANNELS.map((c) => `channel.${c}`),
      ...AUDIENCES.map((a) => `tmpl.audienceName.${a}`),
      ...KINDS.map((k) => `tmpl.kindName.${k}`),
      ...['draft', 'published'].map((s) => `tmpl.statusName.${s}`),
      ...MESSAGE_STATUSES.map((s) => `msgStatus.${s}`),
      ...BATCH_STATUSES.map((s) => `batch.statusName.${s}`),
      ...['treatments', 'cases'].map((s) => `batch.sourceName.${s}`),
      ...['batch.badIds', 'batch.idsRequired', 'batch.tooManyIds', 'batch.templateRequired']
    ]
    for (const k of keys) {
      expect(typeof get(zh, k), `zh ${k}`).toBe('string')
      expect(typeof get(en, k), `en ${k}`).toBe('string')
    }
  })
})

describe('the endpoints', () => {
  function setup() {
    const calls = []
    const fetchImpl = vi.fn(async (url, init) => {
      calls.push({ url, method: init.method, body: init.body ? JSON.parse(init.body) : undefined, csrf: init.headers['X-CSRF-Token'] })
      return { ok: true, status: 200, statusText: '', text: async () => '{}' }
    })
    const api = createEndpoints(createApiClient({ fetchImpl, getCsrfToken: () => 'tok' }))
    return { api, calls }
  }
  it('templates: list, read, draft, edit, publish, preview', async () => {
    const { api, calls } = setup()
    await api.templates()
    await api.template(11)
    await api.createTemplate({ code: 'x', channel: 'sms', body: 'b' })
    await api.updateTemplate(12, { name: 'n', body: 'b' })
    await api.publishTemplate(12)
    await api.previewTemplate(11, 27)
    await api.previewTemplate(9, 27, 'C0000025')
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET /api/templates',
      'GET /api/templates/11',
      'POST /api/templates',
      'POST /api/templates/12',
      'POST /api/templates/12/publish',
      'POST /api/templates/11/preview',
      'POST /api/templates/9/preview'
    ])
    expect(calls[5].body).toEqual({ case_id: 27 })
    expect(calls[6].body).toEqual({ case_id: 27, contact_id: 'C0000025' })
    expect(calls.filter((c) => c.method === 'POST').every((c) => c.csrf === 'tok')).toBe(true)
  })
  it('letters, batches, messages, the outbox', async () => {
    const { api, calls } = setup()
    await api.caseLetters(11)
    await api.writeLetter(11, 'first_notice')
    await api.letterFile(5)
    await api.batches()
    await api.batch(2)
    await api.startBatch({ template: 'first_notice', case_ids: [11] })
    await api.batchFile(2, 'manifest')
    await api.caseMessages(11)
    await api.caseMessages(11, { before: 9, limit: 50 })
    await api.sendMessage(11, { template: 'first_notice', channel: 'sms' })
    await api.outbox({ status: 'queued', before: 151, limit: 50 })
    await api.outbox({ status: undefined, limit: 50 })
    await api.messagesFromTreatments()
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET /api/cases/11/letters',
      'POST /api/cases/11/letters',
      'GET /api/letters/5/file',
      'GET /api/letters/batches',
      'GET /api/letters/batches/2',
      'POST /api/letters/batches',
      'GET /api/letters/batches/2/file?file=manifest',
      'GET /api/cases/11/messages',
      'GET /api/cases/11/messages?before=9&limit=50',
      'POST /api/cases/11/messages',
      'GET /api/outbox?status=queued&before=151&limit=50',
      'GET /api/outbox?limit=50',
      'POST /api/outbox/from-treatments'
    ])
    expect(calls[1].body).toEqual({ template: 'first_notice' })
    expect(calls[5].body).toEqual({ template: 'first_notice', case_ids: [11] })
  })
})

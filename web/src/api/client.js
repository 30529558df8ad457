// The API client: JSON over fetch, same origin, under /api.
//
// - every write (anything but GET/HEAD) carries X-CSRF-Token;
// - Accept-Language follows the UI language so server messages match it;
// - an error answer {code, message, rule?} becomes an ApiError;
// - a 401 on anything but the log-in itself means the session is gone:
//   onUnauthorized() is called (the app shows a message and goes to log-in).

export class ApiError extends Error {
  constructor({ status, code, message, rule = null, body = null }) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.rule = rule
    this.body = body
  }
}

const SAFE = new Set(['GET', 'HEAD'])

// Turn an error answer (parsed JSON or not) into {status, code, message, rule}.
export function parseError(status, body, statusText = '') {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    return {
      status,
      code: typeof body.code === 'string' ? body.code : `HTTP_${status}`,
      message:
        typeof body.message === 'string' && body.message
          ? body.message
          : statusText || `HTTP ${status}`,
      rule: typeof body.rule === 'string' && body.rule ? body.rule : null
    }
  }
  const text = typeof body === 'string' && body.trim() ? body.trim().slice(0, 300) : ''
  return { status, code: `HTTP_${status}`, message: text || statusText || `HTTP ${status}`, rule: null }
}

export function buildQuery(params) {
  if (!params) return ''
  const parts = []
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
  }
  return parts.length ? `?${parts.join('&')}` : ''
}

export function createApiClient({
  fetchImpl = (...a) => globalThis.fetch(...a),
  getCsrfToken = () => null,
  getLanguage = () => 'zh',
  onUnauthorized = () => {},
  base = ''
} = {}) {
  async function request(method, path, { body, query, expectUnauthorized = false } = {}) {
    method = method.toUpperCase()
    const headers = { Accept: 'application/json', 'Accept-Language': getLanguage() || 'zh' }
    const init = { method, headers, credentials: 'same-origin' }
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json'
      init.body = JSON.stringify(body)
    }
    if (!SAFE.has(method)) {
      const token = getCsrfToken()
      if (token) headers['X-CSRF-Token'] = token
    }
    let res
    try {
      res = await fetchImpl(base + path + buildQuery(query), init)
    } catch (e) {
      throw new ApiError({ status: 0, code: 'NETWORK', message: e && e.message ? e.message : 'network error' })
    }
    const text = await res.text()
    let data = null
    if (text) {
      try {
        data = JSON.parse(text)
      } catch {
        data = text
      }
    }
    if (res.ok) return data
    const err = parseError(res.status, data, res.statusText)
    if (res.status === 401 && !expectUnauthorized) onUnauthorized(err)
    throw new ApiError({ ...err, body: data })
  }

  // A file to save (a report's CSV or XLSX): GET with the session, the
  // body as a Blob with the answer's Content-Disposition; an error answer
  // (JSON) becomes an ApiError as for request().
  async function download(path, query) {
    const headers = { 'Accept-Language': getLanguage() || 'zh' }
    let res
    try {
      res = await fetchImpl(base + path + buildQuery(query), { method: 'GET', headers, credentials: 'same-origin' })
    } catch (e) {
      throw new ApiError({ status: 0, code: 'NETWORK', message: e && e.message ? e.message : 'network error' })
    }
    if (!res.ok) {
      const text = await res.text()
      let data = null
      try {
        data = text ? JSON.parse(text) : null
      } catch {
        data = text
      }
      const err = parseError(res.status, data, res.statusText)
      if (res.status === 401) onUnauthorized(err)
      throw new ApiError({ ...err, body: data })
    }
    const header = (name) => (res.headers && typeof res.headers.get === 'function' ? res.headers.get(name) : null)
    return { blob: await res.blob(), disposition: header('Content-Disposition'), type: header('Content-Type') }
  }

  return {
    request,
    download,
    get: (path, query, opts = {}) => request('GET', path, { ...opts, query }),
    post: (path, body = {}, opts = {}) => request('POST', path, { ...opts, body }),
    del: (path, opts = {}) => request('DELETE', path, opts)
  }
}

// The endpoints the pages use, on top of a client.
export function createEndpoints(client) {
  const c = (id) => `/api/cases/${encodeURIComponent(id)}`
  return {
    // A wrong password is a 401 too, but not an expired session.
    login: (username, password) =>
      client.request('POST', '/api/session', { body: { username, password }, expectUnauthorized: true }),
    logout: () => client.del('/api/session', { expectUnauthorized: true }),
    // Asked on start-up: a 401 there is "not logged in", no message needed.
    me: () => client.request('GET', '/api/me', { expectUnauthorized: true }),
    changePassword: (current_password, new_password) =>
      client.post('/api/me/password', { current_password, new_password }),
    queue: (limit = 50) => client.get('/api/queue', { limit }),
    queueCounts: () => client.get('/api/queue/counts'),
    cases: (query) => client.get('/api/cases', query),
    caseDetail: (id) => client.get(c(id)),
    timeline: (id) => client.get(`${c(id)}/timeline`),
    contactCheck: (id, channel = 'call', contact_id) => client.get(`${c(id)}/contact-check`, { channel, contact_id }),
    addRecord: (id, record) => client.post(`${c(id)}/records`, record),
    addPromise: (id, promise) => client.post(`${c(id)}/promises`, promise),
    reveal: (id, field, contact_id) => client.post(`${c(id)}/reveal`, contact_id ? { field, contact_id } : { field }),
    audit: (query) => client.get('/api/audit', query),
    assign: (id, collector, reason) => client.post(`${c(id)}/assign`, { collector, reason }),
    // {cases: [ids], collector, reason}: all of them or none
    assignMany: (body) => client.post('/api/cases/assign', body),

    // Further case actions (bodies built by src/lib/caseActions.js)
    waivers: (id) => client.get(`${c(id)}/waivers`),
    requestWaiver: (id, body) => client.post(`${c(id)}/waivers`, body),
    plans: (id) => client.get(`${c(id)}/plans`),
    proposePlan: (id, body) => client.post(`${c(id)}/plans`, body),
    setStatus: (id, body) => client.post(`${c(id)}/status`, body),
    openDispute: (id, body) => client.post(`${c(id)}/disputes`, body),
    resolveDispute: (disputeId, body) => client.post(`/api/disputes/${encodeURIComponent(disputeId)}/resolve`, body),
    disputeFiles: (disputeId) => client.get(`/api/disputes/${encodeURIComponent(disputeId)}/files`),
    disputeFile: (disputeId, n) => client.get(`/api/disputes/${encodeURIComponent(disputeId)}/files/${encodeURIComponent(n)}`),
    stops: (id) => client.get(`${c(id)}/stops`),
    addStop: (id, body) => client.post(`${c(id)}/stops`, body),
    liftStop: (id, stopId, body) => client.post(`${c(id)}/stops/${encodeURIComponent(stopId)}/lift`, body),
    addContact: (id, body) => client.post(`${c(id)}/contacts`, body),
    contactValidity: (id, contactId, body) => client.post(`${c(id)}/contacts/${encodeURIComponent(contactId)}/validity`, body),
    contactStop: (id, contactId, body) => client.post(`${c(id)}/contacts/${encodeURIComponent(contactId)}/stop`, body),
    place: (id, body) => client.post(`${c(id)}/placement`, body),
    recall: (id, body) => client.post(`${c(id)}/recall`, body),
    postPayment: (body) => client.post('/api/payments', body),

    // Administration
    users: () => client.get('/api/users'),
    createUser: (body) => client.post('/api/users', body),
    updateUser: (id, body) => client.post(`/api/users/${encodeURIComponent(id)}`, body),
    absence: (id, from, until) =>
      client.post(`/api/users/${encodeURIComponent(id)}/absence`, from ? (until ? { from, until } : { from }) : { from: null }),
    teams: () => client.get('/api/teams'),
    createTeam: (name) => client.post('/api/teams', { name }),
    strategies: () => client.get('/api/strategies'),
    strategy: (id) => client.get(`/api/strategies/${encodeURIComponent(id)}`),
    importStrategy: (body) => client.post('/api/strategies', body),
    replaceStrategy: (id, body) => client.post(`/api/strategies/${encodeURIComponent(id)}`, body),
    publishStrategy: (id) => client.post(`/api/strategies/${encodeURIComponent(id)}/publish`, {}),
    dryRun: (id) => client.get(`/api/strategies/${encodeURIComponent(id)}/dry-run`),
    agencies: () => client.get('/api/agencies'),
    createAgency: (name) => client.post('/api/agencies', { name }),
    contracts: (id) => client.get(`/api/agencies/${encodeURIComponent(id)}/contracts`),
    addContract: (id, body) => client.post(`/api/agencies/${encodeURIComponent(id)}/contracts`, body),
    setReview: (id, next_review) => client.post(`/api/agencies/${encodeURIComponent(id)}/review`, { next_review }),
    statement: (id, from, to) => client.get(`/api/agencies/${encodeURIComponent(id)}/statement`, { from, to }),

    // Team leader, manager
    approvals: () => client.get('/api/approvals'),
    decideWaiver: (id, approve, note) =>
      client.post(`/api/waivers/${encodeURIComponent(id)}/decision`, note ? { approve, note } : { approve }),
    decidePlan: (id, approve) => client.post(`/api/plans/${encodeURIComponent(id)}/decision`, { approve }),
    dashboard: (filters = {}) => client.get('/api/dashboard', filters),
    config: () => client.get('/api/config'),

    // Talk scripts
    scripts: (query) => client.get('/api/scripts', query),
    createScript: (body) => client.post('/api/scripts', body),
    updateScript: (id, body) => client.post(`/api/scripts/${encodeURIComponent(id)}`, body),

    // Letters and messages (docs/letters.md)
    templates: () => client.get('/api/templates'),
    template: (id) => client.get(`/api/templates/${encodeURIComponent(id)}`),
    createTemplate: (body) => client.post('/api/templates', body),
    updateTemplate: (id, body) => client.post(`/api/templates/${encodeURIComponent(id)}`, body),
    publishTemplate: (id) => client.post(`/api/templates/${encodeURIComponent(id)}/publish`, {}),
    previewTemplate: (id, case_id, contact_id) =>
      client.post(`/api/templates/${encodeURIComponent(id)}/preview`, contact_id ? { case_id, contact_id } : { case_id }),
    caseLetters: (id) => client.get(`${c(id)}/letters`),
    writeLetter: (id, template) => client.post(`${c(id)}/letters`, { template }),
    letterFile: (letterId) => client.get(`/api/letters/${encodeURIComponent(letterId)}/file`),
    batches: () => client.get('/api/letters/batches'),
    batch: (id) => client.get(`/api/letters/batches/${encodeURIComponent(id)}`),
    startBatch: (body) => client.post('/api/letters/batches', body),
    batchFile: (id, file) => client.get(`/api/letters/batches/${encodeURIComponent(id)}/file`, { file }),
    caseMessages: (id, query) => client.get(`${c(id)}/messages`, query),
    sendMessage: (id, body) => client.post(`${c(id)}/messages`, body),
    outbox: (query) => client.get('/api/outbox', query),
    messagesFromTreatments: () => client.post('/api/outbox/from-treatments', {}),

    // Reports (issue 8): the list, one report as JSON, a download by its
    // full path (src/lib/reports.js: reportPath)
    reports: () => client.get('/api/reports'),
    report: (key, query) => client.get(`/api/reports/${encodeURIComponent(key)}`, query),
    reportFile: (path) => client.download(path)
  }
}

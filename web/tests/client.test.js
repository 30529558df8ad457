import { describe, expect, it, vi } from 'vitest'
import { ApiError, buildQuery, createApiClient, createEndpoints, parseError } from '../src/api/client.js'

// A fake fetch that records its calls and answers with the given responses.
function fakeFetch(...answers) {
  const calls = []
  const fn = vi.fn(async (url, init) => {
    calls.push({ url, init })
    const a = answers.length > 1 ? answers.shift() : answers[0]
    if (a instanceof Error) throw a
    const body = a.body === undefined ? '' : typeof a.body === 'string' ? a.body : JSON.stringify(a.body)
    return {
      ok: a.status >= 200 && a.status < 300,
      status: a.status,
      statusText: a.statusText || '',
      text: async () => body
    }
  })
  fn.calls = calls
  return fn
}

function setup(answer, opts = {}) {
  const fetchImpl = fakeFetch(...[].concat(answer))
  const onUnauthorized = vi.fn()
  const client = createApiClient({
    fetchImpl,
    getCsrfToken: () => ('token' in opts ? opts.token : 'tok-123'),
    getLanguage: () => opts.lang ?? 'zh',
    onUnauthorized
  })
  return { client, api: createEndpoints(client), fetchImpl, onUnauthorized }
}

describe('API client headers', () => {
  it('adds X-CSRF-Token on POST and DELETE but not on GET', async () => {
    const { client, fetchImpl } = setup({ status: 200, body: {} })
    await client.get('/api/queue')
    await client.post('/api/cases/1/records', { channel: 'call' })
    await client.del('/api/session')
    const [get, post, del] = fetchImpl.calls
    expect(get.init.method).toBe('GET')
    expect(get.init.headers['X-CSRF-Token']).toBeUndefined()
    expect(post.init.method).toBe('POST')
    expect(post.init.headers['X-CSRF-Token']).toBe('tok-123')
    expect(post.init.headers['Content-Type']).toBe('application/json')
    expect(JSON.parse(post.init.body)).toEqual({ channel: 'call' })
    expect(del.init.method).toBe('DELETE')
    expect(del.init.headers['X-CSRF-Token']).toBe('tok-123')
  })

  it('sends no CSRF header when there is no token', async () => {
    const { client, fetchImpl } = setup({ status: 200, body: {} }, { token: null })
    await client.post('/api/session', {})
    expect('X-CSRF-Token' in fetchImpl.calls[0].init.headers).toBe(false)
  })

  it('sends Accept-Language of the UI language', async () => {
    const { client, fetchImpl } = setup({ status: 200, body: {} }, { lang: 'en' })
    await client.get('/api/me')
    expect(fetchImpl.calls[0].init.headers['Accept-Language']).toBe('en')
  })

  it('builds query strings, leaving out empty values', async () => {
    const { api, fetchImpl } = setup({ status: 200, body: { cases: [] } })
    await api.queue(50)
    expect(fetchImpl.calls[0].url).toBe('/api/queue?limit=50')
    await api.contactCheck(7, 'call')
    expect(fetchImpl.calls[1].url).toBe('/api/cases/7/contact-check?channel=call')
    await api.contactCheck(7, 'call', 'C0002593')
    expect(fetchImpl.calls[2].url).toBe('/api/cases/7/contact-check?channel=call&contact_id=C0002593')
    expect(buildQuery({ a: 'x y', b: null, c: '', d: 0 })).toBe('?a=x%20y&d=0')
    expect(buildQuery({})).toBe('')
  })

  it('returns parsed JSON on success and null on an empty body', async () => {
    const { client } = setup([{ status: 200, body: { user: { id: 4 } } }, { status: 204 }])
    expect(await client.get('/api/me')).toEqual({ user: { id: 4 } })
    expect(await client.del('/api/session')).toBeNull()
  })
})

describe('API client errors', () => {
  it('parses a guardrail refusal into {code, rule, message}', async () => {
    const { client, onUnauthorized } = setup({
      status: 403,
      body: { code: 'HK_EREFUSED', message: '22:00 至 08:00（债务人当地时间）不得联系', rule: 'GR-HOURS' }
    })
    const err = await client.post('/api/cases/1/records', {}).catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(403)
    expect(err.code).toBe('HK_EREFUSED')
    expect(err.rule).toBe('GR-HOURS')
    expect(err.message).toBe('22:00 至 08:00（债务人当地时间）不得联系')
    expect(onUnauthorized).not.toHaveBeenCalled()
  })

  it('gives rule null when the error has none', async () => {
    const { client } = setup({ status: 400, body: { code: 'HK_EINVAL', message: 'unknown outcome' } })
    const err = await client.post('/x', {}).catch((e) => e)
    expect(err.rule).toBeNull()
    expect(err.code).toBe('HK_EINVAL')
  })

  it('copes with a non-JSON error body', async () => {
    const { client } = setup({ status: 502, statusText: 'Bad Gateway', body: '<html>bad gateway</html>' })
    const err = await client.get('/x').catch((e) => e)
    expect(err.status).toBe(502)
    expect(err.code).toBe('HTTP_502')
    expect(err.message).toContain('bad gateway')
  })

  it('turns a network failure into status 0', async () => {
    const { client } = setup(new TypeError('Failed to fetch'))
    const err = await client.get('/x').catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(0)
    expect(err.code).toBe('NETWORK')
  })

  it('emits session-expired on a 401', async () => {
    const body = { code: 'HK_EREFUSED', message: '未登录或登录已过期；请重新登录' }
    const { client, onUnauthorized } = setup({ status: 401, body })
    const err = await client.get('/api/queue').catch((e) => e)
    expect(err.status).toBe(401)
    expect(onUnauthorized).toHaveBeenCalledTimes(1)
    expect(onUnauthorized.mock.calls[0][0]).toMatchObject({ status: 401, code: 'HK_EREFUSED' })
  })

  it('does not treat a wrong password (401 on log-in) or GET /api/me as expiry', async () => {
    const { api, onUnauthorized } = setup({ status: 401, body: { code: 'HK_EREFUSED', message: '用户名或密码错误' } })
    const err = await api.login('li.na', 'bad').catch((e) => e)
    expect(err.message).toBe('用户名或密码错误')
    await api.me().catch(() => {})
    expect(onUnauthorized).not.toHaveBeenCalled()
  })

  it('parseError falls back sensibly', () => {
    expect(parseError(500, null, 'Internal')).toEqual({ status: 500, code: 'HTTP_500', message: 'Internal', rule: null })
    expect(parseError(403, { code: 'X', message: '', rule: '' }, 'Forbidden')).toEqual({
      status: 403,
      code: 'X',
      message: 'Forbidden',
      rule: null
    })
  })
})

describe('endpoints', () => {
  it('log-in posts the credentials; reveal and promise bodies', async () => {
    const { api, fetchImpl } = setup({ status: 200, body: {} })
    await api.login('li.na', 'pw')
    expect(fetchImpl.calls[0].url).toBe('/api/session')
    expect(JSON.parse(fetchImpl.calls[0].init.body)).toEqual({ username: 'li.na', password: 'pw' })
    await api.reveal(12, 'phone')
    expect(JSON.parse(fetchImpl.calls[1].init.body)).toEqual({ field: 'phone' })
    await api.reveal(12, 'phone', 'C1')
    expect(JSON.parse(fetchImpl.calls[2].init.body)).toEqual({ field: 'phone', contact_id: 'C1' })
    await api.addPromise(12, { amount: '100.00', due_on: '2026-11-30' })
    expect(fetchImpl.calls[3].url).toBe('/api/cases/12/promises')
    expect(fetchImpl.calls[3].init.headers['X-CSRF-Token']).toBe('tok-123')
  })
})

describe('the queue endpoints', () => {
  it('asks for the queue with its limit and for the counts', async () => {
    const { api, fetchImpl } = setup([
      { status: 200, body: { cases: [] } },
      { status: 200, body: { broken_promise: 3, promise_due: 1, follow_up_due: 2, strategy: 40 } }
    ])
    await api.queue(20)
    const counts = await api.queueCounts()
    expect(fetchImpl.calls[0].url).toBe('/api/queue?limit=20')
    expect(fetchImpl.calls[1].url).toBe('/api/queue/counts')
    expect(counts.strategy).toBe(40)
  })
})

describe('the dashboard endpoint', () => {
  it('passes the filters as query parameters', async () => {
    const { api, fetchImpl } = setup([{ status: 200, body: {} }, { status: 200, body: {} }])
    await api.dashboard()
    await api.dashboard({ team: 2, product: 'invoice', from: '2026-10-01', to: '2026-10-31' })
    expect(fetchImpl.calls[0].url).toBe('/api/dashboard')
    expect(fetchImpl.calls[1].url).toBe('/api/dashboard?team=2&product=invoice&from=2026-10-01&to=2026-10-31')
  })
})

// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { ApiError } from '../src/api/client.js'

const api = {
  login: vi.fn(),
  me: vi.fn(),
  logout: vi.fn()
}
vi.mock('../src/api/index.js', () => ({ api }))

const { useSessionStore, unwrapUser } = await import('../src/stores/session.js')
const { csrfStorage } = await import('../src/lib/csrf.js')

const user = { id: 4, username: 'li.na', display_name: '李娜', role: 'collector' }

beforeEach(() => {
  setActivePinia(createPinia())
  sessionStorage.clear()
  vi.resetAllMocks()
})

describe('session store', () => {
  it('log-in keeps the user and puts the CSRF token in sessionStorage', async () => {
    api.login.mockResolvedValue({ user, csrf_token: 'abc' })
    const s = useSessionStore()
    await s.login('li.na', 'pw')
    expect(s.user).toEqual(user)
    expect(s.role).toBe('collector')
    expect(csrfStorage.get()).toBe('abc')
    expect(sessionStorage.getItem('huikuan.csrf')).toBe('abc')
  })

  it('restore after a reload asks GET /api/me once', async () => {
    api.me.mockResolvedValue(user)
    const s = useSessionStore()
    await s.restore()
    await s.restore()
    expect(api.me).toHaveBeenCalledTimes(1)
    expect(s.loggedIn).toBe(true)
  })

  it('restore with 401 means logged out and drops the token', async () => {
    sessionStorage.setItem('huikuan.csrf', 'stale')
    api.me.mockRejectedValue(new ApiError({ status: 401, code: 'HK_EREFUSED', message: 'x' }))
    const s = useSessionStore()
    await s.restore()
    expect(s.loggedIn).toBe(false)
    expect(s.checked).toBe(true)
    expect(csrfStorage.get()).toBeNull()
  })

  it('restore with a server error is retried next time', async () => {
    api.me.mockRejectedValueOnce(new ApiError({ status: 0, code: 'NETWORK', message: 'down' }))
    const s = useSessionStore()
    await expect(s.restore()).rejects.toThrow('down')
    expect(s.checked).toBe(false)
    api.me.mockResolvedValueOnce({ user })
    await s.restore()
    expect(s.user).toEqual(user)
  })

  it('log-out forgets everything even when the server call fails', async () => {
    api.login.mockResolvedValue({ user, csrf_token: 'abc' })
    api.logout.mockRejectedValue(new Error('gone'))
    const s = useSessionStore()
    await s.login('li.na', 'pw')
    sessionStorage.setItem('huikuan.queue', '[1,2]')
    await s.logout()
    expect(s.user).toBeNull()
    expect(csrfStorage.get()).toBeNull()
    expect(sessionStorage.getItem('huikuan.queue')).toBeNull()
  })

  it('unwrapUser accepts both shapes of GET /api/me', () => {
    expect(unwrapUser(user)).toEqual(user)
    expect(unwrapUser({ user })).toEqual(user)
    expect(unwrapUser(null)).toBeNull()
    expect(unwrapUser({ foo: 1 })).toBeNull()
  })
})

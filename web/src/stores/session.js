import { defineStore } from 'pinia'
import { api } from '../api/index.js'
import { csrfStorage } from '../lib/csrf.js'
import { queueMemory } from '../lib/queueNav.js'

// GET /api/me answers the user itself (some versions wrap it as {user}).
export function unwrapUser(data) {
  if (data && typeof data === 'object' && data.user && typeof data.user === 'object') return data.user
  return data && typeof data === 'object' && 'role' in data ? data : null
}

export const useSessionStore = defineStore('session', {
  state: () => ({
    user: null,
    checked: false // asked the server once (GET /api/me) since the page loaded
  }),
  getters: {
    loggedIn: (s) => Boolean(s.user),
    role: (s) => (s.user ? s.user.role : null)
  },
  actions: {
    async login(username, password) {
      const data = await api.login(username, password)
      csrfStorage.set(data.csrf_token)
      this.user = unwrapUser(data)
      this.checked = true
      return this.user
    },
    // After a reload: the cookie may still be good; the token is in sessionStorage.
    async restore() {
      if (this.checked) return this.user
      try {
        this.user = unwrapUser(await api.me())
      } catch (e) {
        if (e && e.status === 401) {
          this.user = null
          csrfStorage.clear()
        } else {
          this.checked = false
          throw e
        }
      }
      this.checked = true
      return this.user
    },
    async logout() {
      try {
        await api.logout()
      } catch {
        /* gone already */
      }
      this.forget()
    },
    forget() {
      this.user = null
      this.checked = true
      csrfStorage.clear()
      queueMemory.clear()
    }
  }
})

// The CSRF token lives in sessionStorage, so a page reload keeps working
// (the cookie is HttpOnly; the token is what proves the page is ours).
const KEY = 'huikuan.csrf'

export function createCsrfStorage(storage) {
  const s = () => storage ?? (typeof sessionStorage !== 'undefined' ? sessionStorage : null)
  return {
    get() {
      try {
        return s()?.getItem(KEY) || null
      } catch {
        return null
      }
    },
    set(token) {
      try {
        if (token) s()?.setItem(KEY, token)
        else s()?.removeItem(KEY)
      } catch {
        /* storage unavailable: the token lives as long as the page */
      }
    },
    clear() {
      this.set(null)
    }
  }
}

export const csrfStorage = createCsrfStorage()

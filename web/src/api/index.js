// The app's one API client, wired to the session store's CSRF token, the UI
// language and the session-expired event.
import { createApiClient, createEndpoints } from './client.js'
import { csrfStorage } from '../lib/csrf.js'
import { sessionEvents } from '../lib/events.js'
import { currentLanguage } from '../i18n/lang.js'

export const client = createApiClient({
  getCsrfToken: () => csrfStorage.get(),
  getLanguage: () => currentLanguage(),
  onUnauthorized: (err) => sessionEvents.emit('expired', err)
})

export const api = createEndpoints(client)
export { ApiError } from './client.js'

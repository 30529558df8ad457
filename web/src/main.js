import { createApp } from 'vue'
import { createPinia } from 'pinia'
import ElementPlus, { ElMessage } from 'element-plus'
import * as ElementPlusIcons from '@element-plus/icons-vue'
import 'element-plus/dist/index.css'
import './style.css'

import App from './App.vue'
import { router } from './router/index.js'
import { i18n, setLanguage } from './i18n/index.js'
import { sessionEvents } from './lib/events.js'
import { useSessionStore } from './stores/session.js'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(i18n)
app.use(ElementPlus)
for (const [name, comp] of Object.entries(ElementPlusIcons)) app.component(name, comp)
app.use(router)
setLanguage(i18n.global.locale.value)

// Any 401 on an API call after log-in: the session has expired (or was ended
// elsewhere).  Say so once and go to the log-in page, back here afterwards.
let expiring = false
sessionEvents.on('expired', () => {
  const session = useSessionStore()
  const wasIn = session.loggedIn
  session.forget()
  if (expiring || router.currentRoute.value.name === 'login') return
  expiring = true
  if (wasIn) ElMessage.warning({ message: i18n.global.t('login.expired'), grouping: true })
  const here = router.currentRoute.value.fullPath
  router
    .push({ name: 'login', query: { expired: '1', redirect: here } })
    .finally(() => {
      expiring = false
    })
})

app.mount('#app')

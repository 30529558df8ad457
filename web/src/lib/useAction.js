import { ref } from 'vue'
import { ElMessage } from 'element-plus'
import { refusalOf } from './actions.js'

// One action of a panel: busy flag, the server's refusal (rule + message),
// success message, then `onDone()` (the page reloads the case and timeline).
export function useAction(onDone) {
  const busy = ref(false)
  const refusal = ref(null)
  async function run(fn, okMessage) {
    busy.value = true
    refusal.value = null
    try {
      const data = await fn()
      if (okMessage) ElMessage.success(okMessage)
      if (onDone) onDone()
      return { ok: true, data }
    } catch (e) {
      if (e && e.status !== 401) {
        refusal.value = refusalOf(e)
        ElMessage.error({ message: e.rule ? `${e.rule}: ${e.message}` : e.message, grouping: true })
      }
      return { ok: false, error: e }
    } finally {
      busy.value = false
    }
  }
  return { busy, refusal, run }
}

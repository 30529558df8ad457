import { useI18n } from 'vue-i18n'

// Translate a server code (channel, outcome, status…) when there is a
// message for it, else show the code itself.
export function makeTr(t, te) {
  return (prefix, value) => {
    if (value === null || value === undefined || value === '') return '—'
    const key = `${prefix}.${value}`
    return te(key) ? t(key) : String(value)
  }
}

export function useTr() {
  const { t, te } = useI18n()
  return makeTr(t, te)
}

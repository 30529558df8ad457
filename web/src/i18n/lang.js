// The UI language ('zh' or 'en'), remembered in localStorage.
export const LANGUAGES = ['zh', 'en']
const KEY = 'huikuan.lang'
let current = 'zh'

export function initialLanguage() {
  try {
    const v = typeof localStorage !== 'undefined' ? localStorage.getItem(KEY) : null
    if (LANGUAGES.includes(v)) current = v
  } catch {
    /* default */
  }
  return current
}

export function currentLanguage() {
  return current
}

export function rememberLanguage(lang) {
  if (!LANGUAGES.includes(lang)) return
  current = lang
  try {
    localStorage.setItem(KEY, lang)
  } catch {
    /* ignore */
  }
}

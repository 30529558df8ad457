import { createI18n } from 'vue-i18n'
// Precompiled at build time by @intlify/unplugin-vue-i18n (CSP: no eval).
import zh from './locales/zh.json'
import en from './locales/en.json'
import { initialLanguage, rememberLanguage } from './lang.js'

export const i18n = createI18n({
  legacy: false,
  globalInjection: true,
  locale: initialLanguage(),
  fallbackLocale: 'zh',
  messages: { zh, en }
})

export function setLanguage(lang) {
  rememberLanguage(lang)
  i18n.global.locale.value = lang
  if (typeof document !== 'undefined') document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en'
}

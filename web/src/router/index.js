import { createRouter, createWebHistory } from 'vue-router'
import { useSessionStore } from '../stores/session.js'
import { homeForRole, roleMayOpen } from '../lib/nav.js'

import LoginView from '../views/LoginView.vue'
import MainLayout from '../layouts/MainLayout.vue'

const routes = [
  { path: '/login', name: 'login', component: LoginView, meta: { public: true } },
  {
    path: '/',
    component: MainLayout,
    children: [
      { path: '', name: 'home', redirect: () => homeForRole(useSessionStore().role) },
      { path: 'queue', name: 'queue', component: () => import('../views/QueueView.vue') },
      { path: 'cases', name: 'cases', component: () => import('../views/CasesView.vue') },
      { path: 'cases/:id(\\d+)', name: 'case', component: () => import('../views/CaseView.vue'), props: true },
      { path: 'team', name: 'team', component: () => import('../views/TeamView.vue') },
      { path: 'dashboard', name: 'dashboard', component: () => import('../views/DashboardView.vue') },
      { path: 'admin', name: 'admin', component: () => import('../views/AdminView.vue') },
      { path: 'audit', name: 'audit', component: () => import('../views/AuditView.vue') },
      { path: 'letters', name: 'batches', component: () => import('../views/BatchesView.vue') },
      { path: 'outbox', name: 'outbox', component: () => import('../views/OutboxView.vue') },
      { path: 'templates', name: 'templates', component: () => import('../views/TemplatesView.vue') },
      { path: 'reports', name: 'reports', component: () => import('../views/ReportsView.vue') },
      { path: 'forbidden', name: 'forbidden', component: () => import('../views/NotFoundView.vue'), props: { forbidden: true } },
      { path: ':rest(.*)*', name: 'notfound', component: () => import('../views/NotFoundView.vue') }
    ]
  }
]

export const router = createRouter({
  history: createWebHistory('/'),
  routes
})

router.beforeEach(async (to) => {
  const session = useSessionStore()
  try {
    await session.restore()
  } catch {
    // Server unreachable: stay on log-in, which shows the error on submit.
    if (!to.meta.public) return { name: 'login', query: { redirect: to.fullPath } }
    return true
  }
  if (to.meta.public) {
    if (session.loggedIn && to.name === 'login') return homeForRole(session.role)
    return true
  }
  if (!session.loggedIn) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  if (!roleMayOpen(session.role, to.name)) return { name: 'forbidden' }
  return true
})

// Which pages each role sees, and where it lands after log-in.

export const ROLES = ['admin', 'manager', 'team_leader', 'collector', 'agency_collector', 'auditor']

// Every menu entry: route name, path, i18n key of its label, icon name.
export const MENU_ITEMS = {
  queue: { name: 'queue', path: '/queue', label: 'nav.queue', icon: 'Odometer' },
  cases: { name: 'cases', path: '/cases', label: 'nav.cases', icon: 'Files' },
  team: { name: 'team', path: '/team', label: 'nav.team', icon: 'User' },
  dashboard: { name: 'dashboard', path: '/dashboard', label: 'nav.dashboard', icon: 'DataLine' },
  admin: { name: 'admin', path: '/admin', label: 'nav.admin', icon: 'Setting' },
  audit: { name: 'audit', path: '/audit', label: 'nav.audit', icon: 'Document' },
  batches: { name: 'batches', path: '/letters', label: 'nav.batches', icon: 'Printer' },
  outbox: { name: 'outbox', path: '/outbox', label: 'nav.outbox', icon: 'Message' },
  templates: { name: 'templates', path: '/templates', label: 'nav.templates', icon: 'Memo' },
  reports: { name: 'reports', path: '/reports', label: 'nav.reports', icon: 'TrendCharts' }
}

// Letters and messages (issue 7): letter batches for admins, managers and
// team leaders (auditors read them), the outbox for those and auditors; the
// templates are a tab of 管理 for admins and managers, a page of their own
// (read-only) for team leaders, collectors and auditors.
//
// Reports (issue 8): GET /api/reports/{key} is open to every role and
// narrowed by the server to the caller's scope; the page is in the menu of
// admins, managers, team leaders (their team), auditors and agency
// collectors (their agency's placements), not of collectors.
const BY_ROLE = {
  collector: ['queue', 'cases', 'templates'],
  agency_collector: ['queue', 'cases', 'reports'],
  team_leader: ['queue', 'cases', 'team', 'dashboard', 'reports', 'batches', 'outbox', 'templates'],
  manager: ['dashboard', 'reports', 'cases', 'team', 'batches', 'outbox', 'admin'],
  admin: ['dashboard', 'reports', 'cases', 'team', 'batches', 'outbox', 'admin', 'audit'],
  auditor: ['audit', 'cases', 'reports', 'batches', 'outbox', 'templates']
}

export function menuForRole(role) {
  return (BY_ROLE[role] || []).map((k) => MENU_ITEMS[k])
}

export function homeForRole(role) {
  const first = menuForRole(role)[0]
  return first ? first.path : '/forbidden'
}

// May this role open the page of this route name?  The case page goes with
// the case list; pages not in any menu (log-in, not found) are open.
// What a role may do on the administration page.
export function adminRights(role) {
  const admin = role === 'admin'
  return {
    users: admin,
    teams: admin,
    strategiesView: admin || role === 'manager',
    strategiesEdit: admin,
    agencies: admin || role === 'manager',
    agenciesEdit: admin,
    scripts: admin,
    config: admin || role === 'manager',
    templates: admin || role === 'manager',
    templatesEdit: admin
  }
}

// The reports page's filter pickers a role gets (the server narrows a team
// leader to the team and an agency collector to the agency whatever is
// asked, and refuses asking past it): teams and collectors from /api/teams
// and /api/users (admins, managers, auditors; a team leader's collectors
// from the dashboard), agencies and strategy versions from their lists
// (not agency collectors).
export function reportPickers(role) {
  const all = ['admin', 'manager', 'auditor'].includes(role)
  const staff = all || role === 'team_leader'
  return {
    team: all,
    collector: staff,
    collectorsFromDashboard: role === 'team_leader',
    agency: staff,
    strategy: staff
  }
}

// May this role reassign a case (the server checks the team)?
export const mayAssign = (role) => ['team_leader', 'manager', 'admin'].includes(role)

export function roleMayOpen(role, routeName) {
  const keys = BY_ROLE[role] || []
  if (routeName === 'case') return keys.includes('cases')
  // the templates page: also for those who have them under 管理
  if (routeName === 'templates') return keys.includes('templates') || keys.includes('admin')
  if (!(routeName in MENU_ITEMS)) return true
  return keys.includes(routeName)
}

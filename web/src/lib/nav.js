// Which pages each role sees, and where it lands after log-in.

export const ROLES = ['admin', 'manager', 'team_leader', 'collector', 'agency_collector', 'auditor']

// Every menu entry: route name, path, i18n key of its label, icon name.
export const MENU_ITEMS = {
  queue: { name: 'queue', path: '/queue', label: 'nav.queue', icon: 'Odometer' },
  cases: { name: 'cases', path: '/cases', label: 'nav.cases', icon: 'Files' },
  team: { name: 'team', path: '/team', label: 'nav.team', icon: 'User' },
  dashboard: { name: 'dashboard', path: '/dashboard', label: 'nav.dashboard', icon: 'DataLine' },
  admin: { name: 'admin', path: '/admin', label: 'nav.admin', icon: 'Setting' },
  audit: { name: 'audit', path: '/audit', label: 'nav.audit', icon: 'Document' }
}

const BY_ROLE = {
  collector: ['queue', 'cases'],
  agency_collector: ['queue', 'cases'],
  team_leader: ['queue', 'cases', 'team', 'dashboard'],
  manager: ['dashboard', 'cases', 'team', 'admin'],
  admin: ['dashboard', 'cases', 'team', 'admin', 'audit'],
  auditor: ['audit', 'cases']
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
    config: admin || role === 'manager'
  }
}

// May this role reassign a case (the server checks the team)?
export const mayAssign = (role) => ['team_leader', 'manager', 'admin'].includes(role)

export function roleMayOpen(role, routeName) {
  const keys = BY_ROLE[role] || []
  if (routeName === 'case') return keys.includes('cases')
  if (!(routeName in MENU_ITEMS)) return true
  return keys.includes(routeName)
}

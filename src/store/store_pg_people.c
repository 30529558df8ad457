/*
 * store_pg_people.c - the PostgreSQL backend's operations for users, sessions, the audit trail, teams, agencies and placements
 * (store_pg.h; the SQLite twins are in store_sqlite.c).
 */
#include "store_pg.h"

void hk_pg_ops_people(struct hk_store_ops *ops)
{
	(void)ops;
}

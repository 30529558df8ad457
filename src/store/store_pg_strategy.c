/*
 * store_pg_strategy.c - the PostgreSQL backend's operations for strategies, treatments, allocation, queues, the dashboard, talk scripts
 * (store_pg.h; the SQLite twins are in store_sqlite.c).
 */
#include "store_pg.h"

void hk_pg_ops_strategy(struct hk_store_ops *ops)
{
	(void)ops;
}

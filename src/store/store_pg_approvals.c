/*
 * store_pg_approvals.c - the PostgreSQL backend's operations for what
 * needs a decision or stops collection: contact stops, limitation, disputes
 * and their evidence, repayment plans, waiver requests, the approvals inbox
 * (store_pg.h; the SQLite twins are in store_sqlite.c).
 */
#include "store_pg.h"

void hk_pg_ops_approvals(struct hk_store_ops *ops)
{
	(void)ops;
}

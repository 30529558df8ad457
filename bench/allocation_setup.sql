-- bench/allocation_setup.sql: the people and the strategy of a collection
-- team, set up straight in the database before the first day-end (a
-- benchmark fixture; a real team does this through the API): two teams of
-- ten collectors, every case with one of them (assigned over the last 45
-- days, so rotations fall on every day), and the shipped strategy with an
-- allocation by stage and rotation after 45 days without progress, in
-- force from the first day-end.  :d0 is the first day-end's date.
INSERT INTO teams (name) VALUES ('早期组'), ('中后期组');
WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
INSERT INTO users (username, display_name, role, team_ref, password_hash,
	created_at)
SELECT 'bench' || i, '催收员' || i, 'collector',
	(SELECT ref FROM teams WHERE name = CASE WHEN i <= 10 THEN '早期组'
		ELSE '中后期组' END), '!', CAST(strftime('%s') AS INTEGER)
FROM n;
UPDATE cases SET
	collector_ref = (SELECT ref FROM users WHERE username = 'bench' || (cases.ref % 20 + 1)),
	team_ref = (SELECT team_ref FROM users WHERE username = 'bench' || (cases.ref % 20 + 1)),
	assigned_on = :d0 - cases.ref % 45;
INSERT INTO strategies (name, status, body, created_at, published_at)
SELECT 'bench: 默认阶梯 + 按阶段分案', 'published',
	json_set(body, '$.name', 'bench: 默认阶梯 + 按阶段分案', '$.allocation',
		json('{"queues": {"early": ["早期组"], "gentle": ["早期组"],
			"hardship": ["早期组"], "broken_promises": ["早期组"],
			"promises": ["早期组"], "middle": ["中后期组"],
			"late": ["中后期组"], "legal": ["中后期组"],
			"skip_tracing": ["中后期组"], "disputes": ["中后期组"]},
			"rotate_after_days": 45}')),
	CAST(strftime('%s') AS INTEGER), CAST(strftime('%s') AS INTEGER)
FROM strategies WHERE ref = 1;

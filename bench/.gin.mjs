import pg from 'pg';
import { readFileSync } from 'node:fs';
const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/hyperfleet_bench' });
await c.connect();
const rows = (await c.query("select id, conditions from clusters where deleted_at is null order by random() limit 2000")).rows;
const pid = (await c.query('select pg_backend_pid() as p')).rows[0].p;
const cpu = () => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
for (let round = 0; round < 2; round++) for (const variant of ['gin', 'nogin', 'touch']) {
  await c.query('begin');
  if (variant === 'nogin') await c.query('drop index clusters_conditions_gin');
  const c0 = cpu(); const t0 = performance.now();
  for (const [i, r] of rows.entries()) {
    const conds = r.conditions.map((x) => ({ ...x, last_updated_time: new Date(Date.now() + i).toISOString(), observed_generation: x.observed_generation + 1 }));
    if (variant === 'touch') await c.query({ name: 't', text: 'update clusters set conditions = conditions where id = $1', values: [r.id] });
    else await c.query({ name: 'u' + variant, text: 'update clusters set conditions = $2 where id = $1', values: [r.id, JSON.stringify(conds)] });
  }
  const ms = performance.now() - t0; const pgms = cpu() - c0;
  await c.query('rollback');
  console.log(round, variant, 'wall µs', (ms * 1000 / rows.length).toFixed(0), 'pg cpu µs', (pgms * 1000 / rows.length).toFixed(0));
}
await c.end();

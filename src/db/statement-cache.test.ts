import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { withStatementCache } from './statement-cache.js';

describe('statement cache', () => {
  it('prepares each SQL text once and gives the same statement back', () => {
    const sqlite = new BetterSqlite3(':memory:');
    let prepared = 0;
    const cached = withStatementCache({ close: () => sqlite.close(), prepare: (sql) => { prepared++; return sqlite.prepare(sql); } });
    cached.prepare('create table t (x integer)').run([]);
    const insert = cached.prepare('insert into t (x) values (?)');
    for (let i = 0; i < 5; i++) assert.equal(cached.prepare('insert into t (x) values (?)'), insert);
    for (let i = 0; i < 5; i++) cached.prepare('insert into t (x) values (?)').run([i]);
    assert.deepEqual(cached.prepare('select sum(x) as s from t').all([]), [{ s: 10 }]);
    assert.equal(prepared, 3);
    cached.close();
  });

  it('stays bounded, evicting the least recently used text', () => {
    const sqlite = new BetterSqlite3(':memory:');
    const seen: string[] = [];
    const cached = withStatementCache({ close: () => sqlite.close(), prepare: (sql) => { seen.push(sql); return sqlite.prepare(sql); } });
    const text = (i: number) => `select ${i} as v`;
    cached.prepare(text(0));
    for (let i = 1; i <= 600; i++) {
      cached.prepare(text(i));
      cached.prepare(text(0)); // kept in use, never evicted
    }
    assert.equal(seen.filter((s) => s === text(0)).length, 1);
    cached.prepare(text(1));
    assert.equal(seen.filter((s) => s === text(1)).length, 2, 'an old, unused text was evicted and is prepared again');
    cached.close();
  });
});

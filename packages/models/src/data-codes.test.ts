// The coding of SEX read from the covariate register: 0 = male, 1 = female; any other value is an
// error naming the column and the line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DosetwinError } from '@dosetwin/engine';
import { checkCodedColumns, codingNote } from './data-codes.ts';

test('codingNote: SEX is 0 = male, 1 = female (the register); a quantity has no coding', () => {
  assert.equal(codingNote('SEX'), 'SEX: 0 = male, 1 = female');
  assert.equal(codingNote('WT'), null);
});

test('checkCodedColumns: a SEX column coded 0/1 gives the note; empty and "." cells are not values', () => {
  const text = 'ID,TIME (h),AMT (mg),DV (mg/L),SEX\n1,0,1000,.,1\n1,2,.,20,.\n2,0,1000,.,0\n2,3,.,15,\n';
  assert.deepEqual(checkCodedColumns(text, 'd.csv'), { notes: ['SEX: 0 = male, 1 = female'] });
  assert.deepEqual(checkCodedColumns('ID,TIME,DV\n1,0,3\n', 'd.csv'), { notes: [] });
  // NONMEM data without units, header in any case.
  assert.deepEqual(checkCodedColumns('ID,TIME,sex\n1,0,0\n', 'd.csv').notes, ['SEX: 0 = male, 1 = female']);
  // The header is read alone first: a Windows line end after SEX still finds the column.
  assert.deepEqual(checkCodedColumns('ID,TIME,SEX\r\n1,0,0\r\n', 'd.csv').notes, [
    'SEX: 0 = male, 1 = female',
  ]);
  assert.throws(
    () => checkCodedColumns('ID,TIME,SEX\r\n1,0,2\r\n', 'd.csv'),
    /line 2: '2' is not one of 0, 1/,
  );
  // An empty file is still refused as one, with or without a coded column to look for.
  assert.throws(() => checkCodedColumns(' \n\n', 'd.csv'), /the dataset is empty/);
});

test('checkCodedColumns: SEX coded 1/2 or M/F is an error per bad cell naming the column, the line and the file', () => {
  const text = 'ID,TIME,AMT,DV,SEX\n1,0,1000,.,1\n1,2,0,20,1\n2,0,1000,.,2\n3,0,1000,.,F\n';
  assert.throws(
    () => checkCodedColumns(text, 'd.csv'),
    (e: unknown) => {
      assert.ok(e instanceof DosetwinError);
      assert.deepEqual(
        e.issues.map((i) => [i.code, i.field, i.file, i.line, i.message]),
        [
          ['DT_DATA', 'SEX', 'd.csv', 4, "column SEX, line 4: '2' is not one of 0, 1"],
          ['DT_DATA', 'SEX', 'd.csv', 5, "column SEX, line 5: 'F' is not one of 0, 1"],
        ],
      );
      assert.equal(e.issues[0].hint, 'SEX: 0 = male, 1 = female; recode the column before reading it');
      return true;
    },
  );
});

/** One measured level: time, concentration and unit, matrix, assay, LLOQ. */
import { NativeSelect, NumberInput, TextInput } from '@mantine/core';
import { useState } from 'react';
import { matrixLabel } from '../components/Timeline.tsx';
import { useT } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { fromDateTimeLocal } from '../lib/time.ts';
import { CONC_UNITS, unitLabel } from '../lib/units.ts';
import { useEntryErrors } from './acknowledge.ts';
import { EntryForm } from './EntryForm.tsx';
import { nowLocal } from './now.ts';

const MATRICES = ['plasma', 'serum', 'whole blood'];

export function SampleForm({ patientId, onDone }: { patientId: string; onDone: () => void }) {
  const { t, lang } = useT();
  const [f, setF] = useState({
    at: nowLocal(),
    value: '' as number | string,
    unit: 'mg/L',
    matrix: 'plasma',
    assay: 'immunoassay',
    lloq: '' as number | string,
  });
  const errors = useEntryErrors();
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const acknowledged = errors.acknowledge();
    errors.clear();
    try {
      await api('POST', `/patients/${patientId}/samples`, {
        at: fromDateTimeLocal(f.at) ?? f.at,
        value: Number(f.value),
        unit: f.unit,
        matrix: f.matrix,
        assay: f.assay,
        ...(f.lloq === '' ? {} : { lloq: Number(f.lloq) }),
        ...acknowledged,
      });
      onDone();
    } catch (err) {
      errors.fail(err);
    }
  };
  return (
    <EntryForm
      id="sample"
      testId="sample-form"
      title={t('addLevel')}
      cols={3}
      error={errors.error}
      ack={errors.ack}
      onSubmit={submit}
    >
      <TextInput
        type="datetime-local"
        label={t('dateTime')}
        required
        value={f.at}
        onChange={(e) => setF({ ...f, at: e.currentTarget.value })}
      />
      <NumberInput
        label={t('concentration')}
        required
        min={0}
        decimalScale={4}
        value={f.value}
        onChange={(v) => setF({ ...f, value: v })}
      />
      <NativeSelect
        label={t('unit')}
        value={f.unit}
        onChange={(e) => setF({ ...f, unit: e.currentTarget.value })}
        data={CONC_UNITS.map((u) => ({ value: u, label: unitLabel(u) }))}
      />
      <NativeSelect
        label={t('matrix')}
        value={f.matrix}
        onChange={(e) => setF({ ...f, matrix: e.currentTarget.value })}
        data={MATRICES.map((m) => ({ value: m, label: matrixLabel(m, lang) }))}
      />
      <TextInput
        label={t('assay')}
        required
        value={f.assay}
        onChange={(e) => setF({ ...f, assay: e.currentTarget.value })}
      />
      <NumberInput
        label={t('lloq')}
        min={0}
        decimalScale={4}
        value={f.lloq}
        onChange={(v) => setF({ ...f, lloq: v })}
      />
    </EntryForm>
  );
}

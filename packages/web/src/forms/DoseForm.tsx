/** One administration: time, amount and unit, route, infusion duration, product. */
import { NativeSelect, NumberInput, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useT } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { fromDateTimeLocal } from '../lib/time.ts';
import { MASS_UNITS, TIME_UNITS, unitLabel } from '../lib/units.ts';
import { useEntryErrors } from './acknowledge.ts';
import { EntryForm } from './EntryForm.tsx';
import { nowLocal } from './now.ts';

export function DoseForm({ patientId, onDone }: { patientId: string; onDone: () => void }) {
  const { t } = useT();
  const [f, setF] = useState({
    at: nowLocal(),
    amount: '' as number | string,
    unit: 'mg',
    route: 'infusion',
    duration: 1 as number | string,
    durationUnit: 'h',
    product: '',
  });
  const errors = useEntryErrors();
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const acknowledged = errors.acknowledge();
    errors.clear();
    try {
      await api('POST', `/patients/${patientId}/administrations`, {
        at: fromDateTimeLocal(f.at) ?? f.at,
        amount: Number(f.amount),
        unit: f.unit,
        route: f.route,
        ...(f.route === 'infusion' ? { duration: { value: Number(f.duration), unit: f.durationUnit } } : {}),
        product: f.product || `${f.amount} ${f.unit}`,
        ...acknowledged,
      });
      onDone();
    } catch (err) {
      errors.fail(err);
    }
  };
  return (
    <EntryForm
      id="dose"
      testId="dose-form"
      title={t('addDose')}
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
        label={t('amount')}
        required
        min={0}
        decimalScale={4}
        value={f.amount}
        onChange={(v) => setF({ ...f, amount: v })}
      />
      <NativeSelect
        label={t('unit')}
        value={f.unit}
        onChange={(e) => setF({ ...f, unit: e.currentTarget.value })}
        data={MASS_UNITS.map((u) => ({ value: u, label: unitLabel(u) }))}
      />
      <NativeSelect
        label={t('route')}
        value={f.route}
        onChange={(e) => setF({ ...f, route: e.currentTarget.value })}
        data={(['infusion', 'oral', 'bolus'] as const).map((r) => ({
          value: r,
          label: t(`route_${r}`),
        }))}
      />
      {f.route === 'infusion' && (
        <>
          <NumberInput
            label={t('duration')}
            required
            min={0}
            decimalScale={2}
            value={f.duration}
            onChange={(v) => setF({ ...f, duration: v })}
          />
          <NativeSelect
            label={t('durationUnit')}
            value={f.durationUnit}
            onChange={(e) => setF({ ...f, durationUnit: e.currentTarget.value })}
            data={[...TIME_UNITS]}
          />
        </>
      )}
      <TextInput
        label={t('product')}
        value={f.product}
        onChange={(e) => setF({ ...f, product: e.currentTarget.value })}
      />
    </EntryForm>
  );
}

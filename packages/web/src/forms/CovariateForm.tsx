/**
 * One covariate value, generated from the covariate register: every registered covariate with its
 * label in the UI language, the units its entry accepts (the canonical one first), and for a
 * binary or coded covariate its codes with what each means (SEX 0 = male, 1 = female). The entry's
 * description and plausibility range are shown under the fields; the service checks the value
 * against the same register.
 */
import { NativeSelect, NumberInput, Text, TextInput } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { useT } from '../i18n/index.ts';
import { api } from '../lib/api.ts';
import { codeLabel, COVARIATES, covariateLabel, covariateOf } from '../lib/covariate-labels.ts';
import { fromDateTimeLocal } from '../lib/time.ts';
import { unitLabel } from '../lib/units.ts';
import { useEntryErrors } from './acknowledge.ts';
import { EntryForm } from './EntryForm.tsx';
import { nowLocal } from './now.ts';

/** A covariate chosen from elsewhere on the page (the request's missing inputs), in the unit a model asks for. */
export interface CovariatePick {
  name: string;
  unit: string | null;
  /** Increases at each pick, so picking the same covariate again focuses the form again. */
  seq: number;
}

/** The units offered for an entry: its accepted units, each display form once (umol/L and µmol/L are one). */
const unitsOf = (name: string): string[] => {
  const units = covariateOf(name)!.units;
  return units.filter((u, k) => units.findIndex((v) => unitLabel(v) === unitLabel(u)) === k);
};

/** The unit a pick asks for when the entry accepts it, else the entry's canonical unit. */
const unitFor = (name: string, unit: string | null): string =>
  unitsOf(name).find((u) => unit !== null && unitLabel(u) === unitLabel(unit)) ?? unitsOf(name)[0];

export function CovariateForm({
  patientId,
  onDone,
  pick,
}: {
  patientId: string;
  onDone: () => void;
  pick: CovariatePick;
}) {
  const { t, lang } = useT();
  const [f, setF] = useState(() => ({
    at: nowLocal(),
    name: pick.name,
    value: '' as number | string,
    unit: unitFor(pick.name, pick.unit),
  }));
  const errors = useEntryErrors();
  const { clear } = errors;
  const valueRef = useRef<HTMLInputElement & HTMLSelectElement>(null);
  useEffect(() => {
    if (!pick.seq) return;
    setF((x) => ({ ...x, name: pick.name, unit: unitFor(pick.name, pick.unit), value: '' }));
    clear();
    valueRef.current?.scrollIntoView({ block: 'center' });
    requestAnimationFrame(() => valueRef.current?.focus());
  }, [pick, clear]);
  const entry = covariateOf(f.name)!;
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const acknowledged = errors.acknowledge();
    errors.clear();
    try {
      await api('POST', `/patients/${patientId}/covariates`, {
        at: fromDateTimeLocal(f.at) ?? f.at,
        name: f.name,
        value: Number(f.value),
        unit: f.unit,
        ...acknowledged,
      });
      onDone();
      setF({ ...f, value: '' });
    } catch (err) {
      errors.fail(err);
    }
  };
  const limits = entry.limits;
  return (
    <EntryForm
      id="cov"
      testId="covariate-form"
      title={t('addCovariate')}
      cols={entry.codes ? 3 : 4}
      error={errors.error}
      ack={errors.ack}
      onSubmit={submit}
      note={
        <Text size="xs" c="gray.7" data-testid="covariate-note">
          {entry.description[lang]}
          {limits
            ? ` · ${t('plausibleRange', { lo: limits.lo, hi: limits.hi, unit: unitLabel(entry.unit) })}`
            : ''}
        </Text>
      }
    >
      <TextInput
        type="datetime-local"
        label={t('dateTime')}
        required
        value={f.at}
        onChange={(e) => setF({ ...f, at: e.currentTarget.value })}
      />
      <NativeSelect
        label={t('covariate')}
        value={f.name}
        onChange={(e) => {
          const name = e.currentTarget.value;
          setF({ ...f, name, unit: unitFor(name, null), value: '' });
        }}
        data={COVARIATES.map((c) => ({ value: c.name, label: covariateLabel(c.name, lang) }))}
      />
      {entry.codes ? (
        <NativeSelect
          ref={valueRef}
          label={t('value')}
          value={String(f.value)}
          onChange={(e) => setF({ ...f, value: e.currentTarget.value })}
          data={[
            { value: '', label: '—' },
            ...entry.codes.map((c) => ({ value: String(c.value), label: codeLabel(c, lang) })),
          ]}
          required
        />
      ) : (
        <NumberInput
          ref={valueRef}
          label={t('value')}
          required
          min={0}
          decimalScale={4}
          value={f.value}
          onChange={(v) => setF({ ...f, value: v })}
        />
      )}
      {!entry.codes && (
        <NativeSelect
          label={t('unit')}
          value={f.unit}
          onChange={(e) => setF({ ...f, unit: e.currentTarget.value })}
          data={unitsOf(f.name).map((u) => ({ value: u, label: unitLabel(u) }))}
        />
      )}
    </EntryForm>
  );
}

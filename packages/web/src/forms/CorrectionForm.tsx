/**
 * Correcting a record of the timeline — a dose, a level or a covariate — in a dialog: amend it
 * (its right values, the fields filled with the values in force) or mark it entered in error,
 * with the reason, which is required. The service checks the values as it checks a new entry and
 * keeps the values before; nothing is deleted.
 */
import { Group, Modal, NativeSelect, NumberInput, Radio, SimpleGrid, Stack, TextInput } from '@mantine/core';
import type { Administration, Covariate, Sample } from '@dosetwin/server/contract';
import { useState } from 'react';
import { useT } from '../i18n/index.ts';
import { CorrectionFooter } from './CorrectionFooter.tsx';
import { api } from '../lib/api.ts';
import { codeLabel, covariateOf } from '../lib/covariate-labels.ts';
import { fromDateTimeLocal, toDateTimeLocal } from '../lib/time.ts';
import { CONC_UNITS, MASS_UNITS, TIME_UNITS, unitLabel } from '../lib/units.ts';

/** A record of the timeline, with the kind of record it is (its route under the patient). */
export type Correctable =
  | { kind: 'administrations'; record: Administration }
  | { kind: 'samples'; record: Sample }
  | { kind: 'covariates'; record: Covariate };

/** The form's fields: every value as the inputs hold it. */
type Fields = Record<string, string | number>;

function initial(item: Correctable): Fields {
  const at = toDateTimeLocal(item.record.at);
  if (item.kind === 'administrations') {
    const r = item.record;
    return {
      at,
      amount: r.amount,
      unit: r.unit,
      route: r.route,
      duration: r.duration?.value ?? 1,
      durationUnit: r.duration?.unit ?? 'h',
      product: r.product,
    };
  }
  if (item.kind === 'samples') {
    const r = item.record;
    return { at, value: r.value, unit: r.unit, matrix: r.matrix, assay: r.assay, lloq: r.lloq ?? '' };
  }
  return { at, value: item.record.value, unit: item.record.unit };
}

/** The amended values in the body's shape. */
function valueOf(item: Correctable, f: Fields): Record<string, unknown> {
  const at = fromDateTimeLocal(String(f.at)) ?? String(f.at);
  if (item.kind === 'administrations')
    return {
      at,
      amount: Number(f.amount),
      unit: f.unit,
      route: f.route,
      ...(f.route === 'infusion' ? { duration: { value: Number(f.duration), unit: f.durationUnit } } : {}),
      product: f.product,
    };
  if (item.kind === 'samples')
    return {
      at,
      value: Number(f.value),
      unit: f.unit,
      matrix: f.matrix,
      assay: f.assay,
      ...(f.lloq !== '' ? { lloq: Number(f.lloq) } : {}),
    };
  return { at, name: item.record.name, value: Number(f.value), unit: f.unit };
}

export function CorrectionForm({
  patientId,
  item,
  onClose,
  onDone,
}: {
  patientId: string;
  item: Correctable;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t, lang } = useT();
  const [action, setAction] = useState<'amend' | 'entered-in-error'>('amend');
  const [f, setF] = useState<Fields>(() => initial(item));
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: string) => (v: string | number) => setF((x) => ({ ...x, [k]: v }));
  const text = (k: string, label: string) => (
    <TextInput label={label} required value={String(f[k])} onChange={(e) => set(k)(e.currentTarget.value)} />
  );
  const num = (k: string, label: string, required = true) => (
    <NumberInput label={label} required={required} min={0} decimalScale={4} value={f[k]} onChange={set(k)} />
  );
  const select = (k: string, label: string, data: { value: string; label: string }[]) => (
    <NativeSelect
      label={label}
      value={String(f[k])}
      onChange={(e) => set(k)(e.currentTarget.value)}
      data={data}
    />
  );
  const units = (us: readonly string[]) => us.map((u) => ({ value: u, label: unitLabel(u) }));
  const entry = item.kind === 'covariates' ? covariateOf(item.record.name) : null;
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('POST', `/patients/${patientId}/${item.kind}/${item.record.id}/corrections`, {
        action,
        reason,
        ...(action === 'amend' ? { value: valueOf(item, f) } : {}),
      });
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal opened onClose={onClose} title={t('correctTitle')} size="lg" centered>
      <form onSubmit={submit} data-testid="correction-form">
        <Stack gap="xs">
          <Radio.Group value={action} onChange={(v) => setAction(v as typeof action)}>
            <Group gap="md">
              <Radio value="amend" label={t('correctionAmend')} />
              <Radio value="entered-in-error" label={t('correctionInError')} />
            </Group>
          </Radio.Group>
          {action === 'amend' && (
            <SimpleGrid cols={{ base: 2, sm: 3 }}>
              <TextInput
                type="datetime-local"
                label={t('dateTime')}
                required
                value={String(f.at)}
                onChange={(e) => set('at')(e.currentTarget.value)}
              />
              {item.kind === 'administrations' && (
                <>
                  {num('amount', t('amount'))}
                  {select('unit', t('unit'), units(MASS_UNITS))}
                  {select(
                    'route',
                    t('route'),
                    (['infusion', 'oral', 'bolus'] as const).map((r) => ({
                      value: r,
                      label: t(`route_${r}`),
                    })),
                  )}
                  {f.route === 'infusion' && num('duration', t('duration'))}
                  {f.route === 'infusion' && select('durationUnit', t('durationUnit'), units(TIME_UNITS))}
                  {text('product', t('product'))}
                </>
              )}
              {item.kind === 'samples' && (
                <>
                  {num('value', t('concentration'))}
                  {select('unit', t('unit'), units(CONC_UNITS))}
                  {text('matrix', t('matrix'))}
                  {text('assay', t('assay'))}
                  {num('lloq', t('lloq'), false)}
                </>
              )}
              {item.kind === 'covariates' &&
                (entry?.codes ? (
                  select(
                    'value',
                    t('value'),
                    entry.codes.map((c) => ({ value: String(c.value), label: codeLabel(c, lang) })),
                  )
                ) : (
                  <>
                    {num('value', `${t('value')} (${item.record.name})`)}
                    {select('unit', t('unit'), units(entry?.units ?? [item.record.unit]))}
                  </>
                ))}
            </SimpleGrid>
          )}
          <CorrectionFooter
            reason={reason}
            onReason={setReason}
            error={error}
            onClose={onClose}
            busy={busy}
            danger={action !== 'amend'}
          />
        </Stack>
      </form>
    </Modal>
  );
}

/**
 * Correcting the patient's identity in a dialog: the right name, birth name, birth date and
 * hospital number (filled with the identity in force), with the reason. The identity before is
 * kept and shown under the header; a hospital number another patient holds is refused.
 */
import { Modal, SimpleGrid, Stack, TextInput } from '@mantine/core';
import type { Identity } from '@dosetwin/server/contract';
import { useState } from 'react';
import { useT } from '../i18n/index.ts';
import { CorrectionFooter } from './CorrectionFooter.tsx';
import { api } from '../lib/api.ts';

export function IdentityCorrectionForm({
  patientId,
  identity,
  onClose,
  onDone,
}: {
  patientId: string;
  identity: Identity;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useT();
  const [f, setF] = useState({ ...identity, birthName: identity.birthName ?? '' });
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const field = (k: keyof typeof f, label: string, type = 'text', required = true) => (
    <TextInput
      type={type}
      label={label}
      required={required}
      value={f[k]}
      onChange={(e) => {
        const v = e.currentTarget.value;
        setF((x) => ({ ...x, [k]: v }));
      }}
    />
  );
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const { birthName, ...rest } = f;
      await api('POST', `/patients/${patientId}/identity/corrections`, {
        action: 'amend',
        reason,
        value: { ...rest, ...(birthName.trim() ? { birthName: birthName.trim() } : {}) },
      });
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Modal opened onClose={onClose} title={t('correctIdentity')} size="lg" centered>
      <form onSubmit={submit} data-testid="identity-correction-form">
        <Stack gap="xs">
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            {field('familyName', t('familyName'))}
            {field('givenName', t('givenName'))}
            {field('birthName', t('birthName'), 'text', false)}
            {field('birthDate', t('birthDate'), 'date')}
            {field('hospitalNumber', t('hospitalNumber'))}
          </SimpleGrid>
          <CorrectionFooter reason={reason} onReason={setReason} error={error} onClose={onClose} />
        </Stack>
      </form>
    </Modal>
  );
}

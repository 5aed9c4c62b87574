/**
 * The end of every correction form: the reason (required, recorded with the correction), the
 * service's refusal if any, Cancel and Save (red for marking a record entered in error).
 */
import { Button, Group, Textarea } from '@mantine/core';
import { ErrorBox } from '../components/Issues.tsx';
import { useT } from '../i18n/index.ts';

export function CorrectionFooter(p: {
  reason: string;
  onReason: (v: string) => void;
  error: unknown;
  onClose: () => void;
  busy?: boolean;
  danger?: boolean;
}) {
  const { t } = useT();
  return (
    <>
      <Textarea
        label={t('correctionReason')}
        required
        value={p.reason}
        onChange={(e) => p.onReason(e.currentTarget.value)}
        autosize
        minRows={2}
      />
      <ErrorBox error={p.error} />
      <Group justify="flex-end">
        <Button variant="default" onClick={p.onClose}>
          {t('cancel')}
        </Button>
        <Button type="submit" loading={p.busy} color={p.danger ? 'red.8' : undefined}>
          {t('correctionSave')}
        </Button>
      </Group>
    </>
  );
}

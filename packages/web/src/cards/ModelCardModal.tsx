/** The model card (citation, population, equations, parameters, verification) in a dialog, one click away. */
import { Modal, ScrollArea } from '@mantine/core';
import { useT } from '../i18n/index.ts';

export function ModelCardModal({
  opened,
  onClose,
  modelId,
  card,
}: {
  opened: boolean;
  onClose: () => void;
  modelId: string;
  card: string | null;
}) {
  const { t } = useT();
  return (
    <Modal opened={opened} onClose={onClose} title={`${t('modelCard')} · ${modelId}`} size="xl">
      <ScrollArea h={520}>
        <pre style={{ whiteSpace: 'pre-wrap', fontSize: 13 }}>{card}</pre>
      </ScrollArea>
    </Modal>
  );
}

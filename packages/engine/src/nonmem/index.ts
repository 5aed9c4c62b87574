/** NONMEM control streams and datasets, translated to dosetwin's model IR. */
export { parseControlStream, type ControlStream, type ControlStreamOptions } from './translate.ts';
export {
  readNonmemDataset,
  nonmemDataToCsv,
  type NonmemDataSpec,
  type InputItem,
  type DataCondition,
} from '../events/nonmem-data.ts';

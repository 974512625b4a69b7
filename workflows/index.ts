export { requestWorkflow } from './request';
export { bulkWorkflow } from './bulk';
export { digestWorkflow } from './digest';
export { webhookWorkflow } from './webhook';
export { splitWorkflow } from './split';
export { mergeWorkflow } from './merge';
export { announcerWorkflow } from './announcer';

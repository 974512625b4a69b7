import { t } from '../../i18n';

/** How often every page's badge asks for the unread count. */
export const BADGE_POLL_SECONDS = 5;

/** The badge's model (views/partials/chatBadge.hbs): the number of unread messages and its words. */
export const chatBadge = (unread: number) => ({ unread, words: unread ? t('ui.chat.unread', { count: unread }) : '', seconds: BADGE_POLL_SECONDS });

/** The script-tag entry of /dashboard, its only module with side effects. */
import { startDashboard } from './app.js';

startDashboard(document.body);

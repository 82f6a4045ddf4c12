// Chunk loaded when the status pages are first needed (dist/incidents.js): incidents are on and the user has
// accounts. The status-page readers (Statuspage, incident.io, RSS and Atom) and the poller are not needed to activate
// the extension, so they stay out of the activation bundle.
export { IncidentPoller } from '../../core/incidents/poller';

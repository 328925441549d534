// Starts GOV.UK Frontend's components (kept in a file: the CSP allows no inline script without a nonce).
import { initAll } from '../govuk/govuk-frontend.min.js'

initAll()

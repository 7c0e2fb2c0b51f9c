import {
  type ProductActionProfile,
  type RemediationView,
  remediationOf,
} from '../../domain/index.js';

/** The detail of one product in one context: its stored decisions as work to do. */
export function productDetail(profile: ProductActionProfile): RemediationView {
  return remediationOf(profile);
}

/**
 * MS-ADTS 3.1.1.3.4.1.14 LDAP_SERVER_SHOW_DELETED_OID (1.2.840.113556.1.4.417): "used with an LDAP search
 * operation to specify that tombstones and deleted-objects should be visible to the operation". No value.
 *
 * With the Recycle Bin enabled (MS-ADTS 3.1.1.9.1), a deleted object keeps its attributes (isDeleted=TRUE, not
 * yet isRecycled) and lives in CN=Deleted Objects under a mangled RDN "<name>\0ADEL:<objectGUID>".
 */
import { Control } from 'ldapts';

export const SHOW_DELETED_OID = '1.2.840.113556.1.4.417';

export class ShowDeletedControl extends Control {
  constructor() {
    super(SHOW_DELETED_OID, { critical: true });
  }
}

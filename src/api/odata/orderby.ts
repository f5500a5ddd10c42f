/**
 * `$orderby`: Graph sorts directory objects by displayName or userPrincipalName, one key, ascending by default.
 *
 *   orderby     = ( "$orderby" / "orderby" ) EQ orderbyItem *( COMMA orderbyItem )
 *   orderbyItem = commonExpr [ RWS ( "asc" / "desc" ) ]          ; OData 4.01 Part 2 §5.1.4
 */
import { CloudsyncError } from '../../errors/index.ts';
import { ORDERABLE_PROPERTIES, type OrderableProperty, type OrderBy } from '../../directory/query.ts';

export function parseOrderBy(text: string, orderable: readonly OrderableProperty[] = ORDERABLE_PROPERTIES): OrderBy {
  const items = text.split(',');
  if (items.length > 1) {
    throw new CloudsyncError('ERR_ODATA_ORDERBY', `Sorting by more than one property is not supported; $orderby accepts one of ${orderable.join(', ')}.`, { path: '$orderby' });
  }
  const match = /^\s*([A-Za-z_][A-Za-z0-9_/]*)(?:\s+(asc|desc))?\s*$/i.exec(items[0] ?? '');
  if (!match) {
    throw new CloudsyncError('ERR_ODATA_ORDERBY', `Invalid $orderby '${text}': expected a property name optionally followed by asc or desc.`, { path: '$orderby', position: 0 });
  }
  const property = orderable.find((name) => name.toLowerCase() === match[1]!.toLowerCase());
  if (property === undefined) {
    throw new CloudsyncError('ERR_ODATA_ORDERBY', `Sorting is not supported on '${match[1]}'; $orderby accepts ${orderable.join(', ')}.`, { path: '$orderby' });
  }
  return Object.freeze({ property, direction: (match[2]?.toLowerCase() ?? 'asc') as 'asc' | 'desc' });
}

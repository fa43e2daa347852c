/**
 * The due date of a data-subject request: one month after receipt (GDPR Art. 12(3)). Per the EU rule on
 * periods (Regulation 1182/71, Art. 3(2)(c)), when that day does not exist in the next month the period
 * ends on the month's last day: 31 January → 28 or 29 February. Computed in UTC.
 */
export function addOneMonth(from: Date): Date {
  const year = from.getUTCFullYear();
  const month = from.getUTCMonth() + 1;
  // Day 0 of the month after next is the last day of next month.
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const due = new Date(from.getTime());
  due.setUTCDate(1);
  due.setUTCMonth(month);
  due.setUTCDate(Math.min(from.getUTCDate(), lastDay));
  return due;
}

// Parse an iCalendar feed from stdin with Mozilla's ical.js (Thunderbird's parser) and print
// {uid: {start, end, status, sequence}} with start and end as UTC ISO strings.
import ICAL from "ical.js";

let text = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) text += chunk;

const root = new ICAL.Component(ICAL.parse(text));
for (const vtz of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtz);
}
const out = {};
for (const vevent of root.getAllSubcomponents("vevent")) {
  const ev = new ICAL.Event(vevent);
  out[ev.uid] = {
    start: ev.startDate.toJSDate().toISOString(),
    end: ev.endDate.toJSDate().toISOString(),
    status: vevent.getFirstPropertyValue("status"),
    sequence: ev.sequence,
    summary: ev.summary,
  };
}
process.stdout.write(JSON.stringify(out));

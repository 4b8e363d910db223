"""What the console (/ops) and `nurture stats` show: figures over windows of the business's day,
the delivery log searched and folded, results per template and variant. Queries and pure
functions only; the pages live in nurture/web/."""

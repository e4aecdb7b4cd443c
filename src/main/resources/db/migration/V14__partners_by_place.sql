-- Finding a partner for an order (deliveries.sql: assign, assign-again) looked at every available partner
-- for those inside the radius' bounding box: a sequential scan of partners on every assignment, however
-- many work in other cities. The bounding box is a range of latitudes, which this index reads directly,
-- with the longitude beside it. Assigning and freeing change neither column, so those updates stay HOT;
-- a partner's reported position does change them.
CREATE INDEX partners_free_by_place ON partners (lat, lon) WHERE available;

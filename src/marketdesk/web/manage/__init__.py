"""The administrator's own pages (/manage/): policy versions, business calendars, webhook endpoints."""

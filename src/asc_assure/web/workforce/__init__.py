"""The workforce page: staffing, vacancies, turnover, agency use, sickness and caseloads by team and role."""

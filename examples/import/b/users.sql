-- MySQL dump 10.13
/*!40101 SET NAMES utf8mb4 */;
DROP TABLE IF EXISTS `users`;
CREATE TABLE `users` (
  `id` varchar(255) DEFAULT NULL,
  `created_at` varchar(255) DEFAULT NULL,
  `updated_at` varchar(255) DEFAULT NULL,
  `username` varchar(255) DEFAULT NULL,
  `pwd` varchar(255) DEFAULT NULL,
  `email` varchar(255) DEFAULT NULL,
  `type` varchar(255) DEFAULT NULL,
  `sex` varchar(255) DEFAULT NULL,
  `age` varchar(255) DEFAULT NULL,
  `head_portrait` varchar(255) DEFAULT NULL,
  `clinic_id` varchar(255) DEFAULT NULL,
  `mobile` varchar(255) DEFAULT NULL,
  `wechat` varchar(255) DEFAULT NULL,
  `intro` varchar(255) DEFAULT NULL,
  `school` varchar(255) DEFAULT NULL,
  `major` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
LOCK TABLES `users` WRITE;
INSERT INTO `users` VALUES (1,'2020-06-14 10:00:00','2020-06-14 10:00:00','li_wei','$2y$10$kMeA9RQhgF8khx4PURf06.m0Iamd2KvGSUwpj8pJjCZoGZJYCrDFy','li.wei@clinic.example',0,0,35,NULL,7,'+8613800000001','wx_liwei','Orthodontist','PKU','Dentistry'),(2,'2020-06-15 11:00:00','2020-06-15 11:00:00','zhang_min','$2y$10$50JuiU/Y0jLKdnmzzZ3f7eQufqHSjgA4RH8BRCy01Tv0X5BqzhJn.','zhang.min@clinic.example',2,1,41,NULL,NULL,NULL,NULL,NULL,NULL,NULL);
UNLOCK TABLES;
